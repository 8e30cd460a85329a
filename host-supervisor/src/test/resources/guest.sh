# a simulated guest for the Quarkus test: $1 is its id
sleep 1000 &
wait
