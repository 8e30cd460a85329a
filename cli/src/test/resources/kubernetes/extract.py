#!/usr/bin/env python3
"""Builds the committed schemas from the packed upstream files (see README.md beside this file).

usage: extract.py K8S_MODELS_DIR APIMACHINERY_DIR STRIMZI_TESTS_JAR OUT_DIR
  K8S_MODELS_DIR, APIMACHINERY_DIR: the unpacked npm tarballs' package/ folders
  STRIMZI_TESTS_JAR: io.strimzi:api:<version>:jar:tests
"""
import json, re, sys, zipfile
import yaml  # Debian: python3-yaml

models, apimachinery, strimzi_jar, out = sys.argv[1:5]

# The Kubernetes kinds the manifests use; everything they refer to comes along.
ROOTS = ["io.k8s.api.core.v1.ConfigMap", "io.k8s.api.core.v1.Secret", "io.k8s.api.core.v1.Service",
         "io.k8s.api.apps.v1.Deployment", "io.k8s.api.apps.v1.StatefulSet",
         "io.k8s.api.policy.v1.PodDisruptionBudget"]
STRIMZI = {"Kafka": "040-Crd-kafka.yaml", "KafkaTopic": "043-Crd-kafkatopic.yaml",
           "KafkaUser": "044-Crd-kafkauser.yaml", "KafkaNodePool": "045-Crd-kafkanodepool.yaml"}
STRIMZI_VERSION = "v1beta2"

def registered(folder):
    """Each _schemas/*.js file holds one JSON schema literal and the id it registers it under."""
    import glob
    found = {}
    for path in glob.glob(folder + "/_schemas/*.js"):
        text = open(path).read()
        body = re.search(r"const schema = (\{.*?\});\nfunction addSchema", text, re.S)
        name = re.search(r'register\)\("([^"]+)", schema\)', text)
        if body and name:
            found[name.group(1)] = json.loads(body.group(1))
    return found

def refs(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                yield v.rstrip("#")
            else:
                yield from refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from refs(v)

def strict(node):
    """Every object schema that lists its properties admits no others (kubeconform's -strict, kubectl's
    --validate=strict), unless it says it keeps unknown fields: so a misspelt field fails."""
    if isinstance(node, dict):
        node = {k: strict(v) for k, v in node.items()}
        if ("properties" in node and "additionalProperties" not in node
                and not node.get("x-kubernetes-preserve-unknown-fields")):
            node["additionalProperties"] = False
        return node
    if isinstance(node, list):
        return [strict(v) for v in node]
    return node

def rewrite(node):
    """Refs by id ('io.k8s...Pod#') become local ('#/definitions/io.k8s...Pod'); a reference that
    may also be null (oneOf: [ref, null]) becomes the reference alone: an explicit null is refused
    (write nothing), and a wrong field is reported once, not as 'valid to none of oneOf'."""
    if isinstance(node, dict):
        one_of = node.get("oneOf")
        if (set(node) == {"oneOf"} and len(one_of) == 2 and one_of[1] == {"type": "null"}
                and set(one_of[0]) == {"$ref"}):
            return rewrite(one_of[0])
        return {k: ("#/definitions/" + v.rstrip("#") if k == "$ref" else rewrite(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [rewrite(v) for v in node]
    return node

schemas = {**registered(apimachinery), **registered(models)}
needed, todo = {}, list(ROOTS)
while todo:
    name = todo.pop()
    if name not in needed:
        needed[name] = schemas[name]
        todo.extend(refs(schemas[name]))
document = {"$schema": "http://json-schema.org/draft-07/schema#",
            "definitions": {name: strict(rewrite(needed[name])) for name in sorted(needed)}}
with open(out + "/kubernetes.strict.schema.json", "w") as f:
    json.dump(document, f, indent=1, sort_keys=True)
    f.write("\n")

def strip(node):
    """Descriptions only: they are most of the bytes and no rule (a property named 'description' stays)."""
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if k != "description" or not isinstance(v, str)}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node

with zipfile.ZipFile(strimzi_jar) as jar:
    for kind, file in STRIMZI.items():
        crd = yaml.safe_load(jar.read("crds/v1beta2/" + file))
        version = next(v for v in crd["spec"]["versions"] if v["name"] == STRIMZI_VERSION)
        schema = strict(strip(version["schema"]["openAPIV3Schema"]))
        schema["$schema"] = "http://json-schema.org/draft-07/schema#"
        with open(out + "/strimzi-" + kind.lower() + "." + STRIMZI_VERSION + ".schema.json", "w") as f:
            json.dump(schema, f, indent=1, sort_keys=True)
            f.write("\n")
