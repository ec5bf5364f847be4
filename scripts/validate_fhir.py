#!/usr/bin/env python3
"""Validates NDJSON FHIR resources with the fhir.resources models (an implementation
independent of ours). Usage: validate_fhir.py {stu3|r4} FILE...

Every line must parse as the model of its resourceType. Prints one line per failure and
a summary; exits 1 if any line failed."""
import importlib
import json
import sys


def model(version, resource_type):
    package = "fhir.resources.STU3" if version == "stu3" else "fhir.resources"
    module = importlib.import_module(f"{package}.{resource_type.lower()}")
    return getattr(module, resource_type)


def main():
    version, files = sys.argv[1], sys.argv[2:]
    checked = failed = 0
    for path in files:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                checked += 1
                resource = json.loads(line)
                try:
                    model(version, resource["resourceType"]).parse_obj(resource)
                except Exception as error:  # the models raise pydantic errors
                    failed += 1
                    print(f"{path}:{number} {resource.get('resourceType')}/{resource.get('id')}: {error}")
    print(f"fhir.resources {version}: {checked} resources, {failed} invalid")
    sys.exit(1 if failed or not checked else 0)


if __name__ == "__main__":
    main()
