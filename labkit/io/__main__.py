"""``python -m labkit.io --schema``: print the cluster file's JSON Schema
(``docs/cluster-file.schema.json``)."""
import sys

from .jsonschema import schema_text

if sys.argv[1:] == ["--schema"]:
    sys.stdout.write(schema_text())
else:
    sys.exit("usage: python -m labkit.io --schema   (print the cluster file's JSON Schema)")
