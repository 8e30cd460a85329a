package io.guestguard.streams;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * How a stream processor stores one state per key as JSON, with the version of its format, so that
 * the versions of a service that run side by side during a rolling upgrade (an instance and its
 * standby, an instance and the one rolled back to) never decide on a state they half understand.
 *
 * <p>The rule (docs/operations.md, "Upgrading"):
 * <ul>
 *   <li>Every state is written as one JSON object whose first field is {@value #FIELD}, the format
 *       the writer knows, then the state's own fields: {@code {"format":1,"spec":…}}. The fields stay
 *       at the top level, so a version from before formats (which ignores a field it does not know)
 *       reads a state of format 1 as its own.</li>
 *   <li>A state without {@value #FIELD} is of format 0, the shape written before formats existed;
 *       format 1 is that same shape. A reader reads its own format and every older one.</li>
 *   <li>A new optional field, which an older reader may ignore without deciding differently, keeps
 *       the format. A new field an older reader must not ignore, or a field whose meaning changes,
 *       makes a new format: the reader of the new format converts the older ones as it reads them.</li>
 *   <li>A state of a format newer than the reader's is refused ({@link NewerFormatException}), never
 *       read by guesswork: the processor quarantines it as any state it cannot read.</li>
 * </ul>
 *
 * @param <T> the state's type, a record Jackson reads and writes
 */
public final class StoredFormat<T> {

    /** The field that carries the format, first in every state written. */
    public static final String FIELD = "format";

    private final ObjectMapper mapper;
    private final Class<T> type;
    private final int current;
    private final byte[] prefix;
    private final ObjectReader reader;

    /**
     * @param mapper the service's mapper ({@code EventCodec.mapper()}: bounded, strict about duplicate keys)
     * @param type the state's type
     * @param current the format this version writes and the newest it reads, at least 1
     */
    public StoredFormat(ObjectMapper mapper, Class<T> type, int current) {
        if (current < 1) {
            throw new IllegalArgumentException("a stored format is numbered from 1, not " + current);
        }
        this.mapper = mapper;
        this.type = type;
        this.current = current;
        this.prefix = ("{\"" + FIELD + "\":" + current).getBytes(StandardCharsets.UTF_8);
        this.reader = mapper.readerFor(type).withHandler(new FormatCheck());
    }

    /** {@code state} as stored: its JSON object with {@value #FIELD} put first. */
    public byte[] write(T state) {
        byte[] json;
        try {
            json = mapper.writeValueAsBytes(state);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (json.length < 2 || json[0] != '{') {
            throw new IllegalArgumentException(type.getSimpleName() + " is not stored as a JSON object");
        }
        // Spliced rather than rebuilt as a tree: a state is written for every fact.
        boolean empty = json.length == 2;
        byte[] stored = Arrays.copyOf(prefix, prefix.length + (empty ? 0 : 1) + json.length - 1);
        int at = prefix.length;
        if (!empty) {
            stored[at++] = ',';
        }
        System.arraycopy(json, 1, stored, at, json.length - 1);
        return stored;
    }

    /**
     * The state {@code bytes} hold, of this format or an older one.
     *
     * @throws NewerFormatException if a later version wrote it in a format this one does not know
     * @throws IOException if it is not a state of this type (malformed, or its format is not a number)
     */
    public T read(byte[] bytes) throws IOException {
        T state = reader.readValue(bytes);
        if (state == null) {
            throw new IOException("it holds no " + type.getSimpleName());
        }
        return state;
    }

    /**
     * Checks {@value #FIELD} where Jackson meets it, wherever it stands in the object: to the state's
     * type it is a property it does not know, which Jackson hands to this before skipping it. Read in
     * the one pass that reads the state (a tree first would make reading a state half again as slow).
     */
    private final class FormatCheck extends DeserializationProblemHandler {
        @Override
        public boolean handleUnknownProperty(DeserializationContext context, JsonParser parser, JsonDeserializer<?> deserializer,
                                             Object beanOrClass, String property) throws IOException {
            if (!property.equals(FIELD) || deserializer.handledType() != type) {
                return false; // any other unknown field is skipped, as the mapper does
            }
            if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() != JsonParser.NumberType.INT
                    || parser.getIntValue() < 1) {
                throw new IOException("its " + FIELD + " is not a format number: " + parser.getText());
            }
            if (parser.getIntValue() > current) {
                throw new NewerFormatException(parser.getIntValue(), current);
            }
            return true;
        }
    }

    /** A state written in a format newer than this version reads: by a later version, say before a rollback. */
    public static final class NewerFormatException extends IOException {

        private final int found;

        NewerFormatException(int found, int known) {
            super("it is in format " + found + ", newer than format " + known
                    + ", the newest this version reads: a later version wrote it (a rollback during an upgrade?)");
            this.found = found;
        }

        /** The format the state says it is in. */
        public int found() {
            return found;
        }
    }
}
