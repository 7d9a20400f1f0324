"""Checks a kustomize directory of Kubernetes manifests (deploy/kubernetes) the way the cluster
would, offline. Run through scripts/check-deploy, which installs kubernetes-validate.

1. `kubectl kustomize` builds the directory, when kubectl is installed: what `kubectl apply -k`
   would send. A second build with another image tag shows that `images:` reaches every
   SpinApp's spec.image (kustomize knows that field only through kustomizeconfig.yaml). Without
   kubectl the files listed under `resources:` are checked as written.
2. Every SpinApp is validated against the SpinApp CRD of spin-operator (vendored in
   schemas/), made strict: a field the CRD does not declare is an error, as the API server's
   strict field validation (kubectl's default) makes it. Its metadata is validated as
   Kubernetes ObjectMeta.
3. Every other resource is validated against the Kubernetes schemas of kubernetes-validate,
   strict, for each Kubernetes version in KUBERNETES_VERSIONS. A kind with no schema is an error.
4. Every Ingress path passes ingress-nginx's strict path validation (`strict-validate-path-type`,
   on by default since ingress-nginx 1.12): an `Exact` or `Prefix` path holding any character
   but A-Za-z0-9 / _ - makes its admission webhook reject the whole Ingress. Schemas cannot
   say this; `ImplementationSpecific` paths are exempt there, and must be literal paths here.

Prints every finding, then `check-deploy: N passed, N failed` (documents, and the build).
"""

import copy
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import jsonschema
import kubernetes_validate
import yaml

# The operator release whose CRD is in schemas/ (schemas/README.md says where it came from).
SPIN_OPERATOR_VERSION = "v0.6.1"
# Kubernetes 1.33 is what spin-operator v0.6.1 is built against (its k8s.io/api v0.33.1);
# 1.37 is the newest release the pinned kubernetes-validate knows.
KUBERNETES_VERSIONS = ["1.33.0", "1.37.0"]

# ingress-nginx's rule for Exact and Prefix paths (internal/ingress/inspector).
NGINX_STRICT_PATH = re.compile(r"^/[A-Za-z0-9/_-]*$")
# An ImplementationSpecific path is read by each controller its own way (ingress-nginx: a
# string prefix, or a regular expression under `use-regex`): only a literal path, no
# regular-expression characters, means the same to all of them.
LITERAL_PATH = re.compile(r"^/[A-Za-z0-9/_.-]*$")

PROBE_TAG = "check-deploy-probe"


def documents(text):
    """The non-empty YAML documents of a text."""
    return [d for d in yaml.safe_load_all(text) if d]


def describe(resource):
    name = (resource.get("metadata") or {}).get("name", "?")
    return f"{resource.get('kind', '?')}/{name}"


def kinds_and_names(sourced):
    return sorted(describe(resource) for _, resource in sourced)


# ------------------------------------------------------------------------------ the SpinApp CRD


def strict(schema):
    """An OpenAPI v3 schema of a CRD as a JSON Schema that rejects undeclared fields."""
    schema = copy.deepcopy(schema)

    def visit(node):
        if isinstance(node, dict):
            if (
                "properties" in node
                and "additionalProperties" not in node
                and not node.get("x-kubernetes-preserve-unknown-fields")
            ):
                node["additionalProperties"] = False
            if node.get("nullable") and isinstance(node.get("type"), str):
                node["type"] = [node["type"], "null"]
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(schema)
    return schema


def crd_validators(directory):
    """{(apiVersion, kind): validator} for every served version of every CRD in directory."""
    validators = {}
    for file in sorted(directory.glob("*.yaml")):
        for crd in documents(file.read_text()):
            if crd.get("kind") != "CustomResourceDefinition":
                continue
            group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
            for version in crd["spec"]["versions"]:
                if version.get("served"):
                    schema = strict(version["schema"]["openAPIV3Schema"])
                    validators[(f"{group}/{version['name']}", kind)] = jsonschema.Draft202012Validator(schema)
    return validators


def field_path(error):
    return ".".join(str(p) for p in error.absolute_path) or "(document)"


def check_custom_resource(resource, validator):
    findings = [
        f"{field_path(e)}: {e.message} (SpinApp CRD of spin-operator {SPIN_OPERATOR_VERSION})"
        for e in sorted(validator.iter_errors(resource), key=lambda e: list(map(str, e.absolute_path)))
    ]
    # The CRD says only `metadata: {type: object}`; the API server checks it as ObjectMeta. A
    # ConfigMap holding nothing but this metadata is validated exactly so.
    carrier = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": resource.get("metadata")}
    findings += check_kubernetes(carrier, "metadata as ObjectMeta")
    return findings


# --------------------------------------------------------------------- the Kubernetes schemas


def check_kubernetes(resource, what=None):
    findings = []
    for version in KUBERNETES_VERSIONS:
        try:
            kubernetes_validate.validate(resource, version, strict=True)
        except kubernetes_validate.ValidationError as e:
            where = ".".join(str(p) for p in e.path) or "(document)"
            findings.append(f"{where}: {e.message} (Kubernetes {e.version}, strict{', ' + what if what else ''})")
        except kubernetes_validate.SchemaNotFoundError as e:
            findings.append(f"{e.message} (a custom resource's CRD belongs in schemas/)")
    return findings


# ------------------------------------------------------------------------ ingress-nginx paths


def check_ingress_paths(ingress):
    findings = []
    for rule in (ingress.get("spec") or {}).get("rules") or []:
        for entry in (rule.get("http") or {}).get("paths") or []:
            path, path_type = entry.get("path", ""), entry.get("pathType")
            if path_type in ("Exact", "Prefix"):
                if not NGINX_STRICT_PATH.match(path):
                    findings.append(
                        f"path {path} cannot be used with pathType {path_type}: ingress-nginx "
                        "(strict-validate-path-type, default since 1.12) rejects the whole Ingress; "
                        "only A-Za-z0-9 / _ - are allowed (use ImplementationSpecific for this path)"
                    )
            elif path_type == "ImplementationSpecific":
                if not LITERAL_PATH.match(path):
                    findings.append(
                        f"path {path} (ImplementationSpecific) must be a literal path: / then "
                        "A-Za-z0-9 / _ . - only, no regular-expression characters"
                    )
            else:
                findings.append(f"path {path}: pathType {path_type!r} (Exact, Prefix or ImplementationSpecific)")
    return findings


# --------------------------------------------------------------------------------- kustomize


def kustomize(kubectl, directory):
    """(documents, error) of `kubectl kustomize directory`."""
    built = subprocess.run([kubectl, "kustomize", str(directory)], capture_output=True, text=True)
    if built.returncode != 0:
        return None, built.stderr.strip()
    return documents(built.stdout), None


def check_image_transform(kubectl, directory, kustomization):
    """Findings if a build with another tag leaves some SpinApp's image as it was."""
    images = kustomization.get("images") or []
    if not images:
        return []
    with tempfile.TemporaryDirectory() as scratch:
        copy_dir = Path(scratch) / directory.name
        shutil.copytree(directory, copy_dir)
        probe = copy.deepcopy(kustomization)
        for image in probe["images"]:
            image["newTag"] = PROBE_TAG
        (copy_dir / "kustomization.yaml").write_text(yaml.safe_dump(probe))
        built, error = kustomize(kubectl, copy_dir)
    if error:
        return [f"kubectl kustomize with another image tag failed: {error}"]
    spinapps = [r for r in built if r.get("kind") == "SpinApp"]
    return [
        f"{describe(s)}: spec.image {s['spec'].get('image')} did not follow kustomization.yaml `images:` "
        "(kustomizeconfig.yaml must name spec/image of SpinApp)"
        for s in spinapps
        if not str(s["spec"].get("image", "")).endswith(f":{PROBE_TAG}")
    ]


# ------------------------------------------------------------------------------------- main


def main(directory):
    directory = Path(directory)
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    written = []
    for file in kustomization.get("resources") or []:
        written += [(file, r) for r in documents((directory / file).read_text())]

    passed = failed = 0
    resources = written
    kubectl = shutil.which("kubectl")
    if kubectl:
        built, error = kustomize(kubectl, directory)
        findings = [f"kubectl kustomize failed: {error}"] if error else []
        if built is not None:
            print(f"check-deploy: kubectl kustomize {directory}: {len(built)} resources")
            resources = [("kubectl kustomize", r) for r in built]
            if kinds_and_names(resources) != kinds_and_names(written):
                findings.append(
                    f"the build holds {kinds_and_names(resources)}, the files {kinds_and_names(written)}"
                )
            findings += check_image_transform(kubectl, directory, kustomization)
        for finding in findings:
            print(f"check-deploy: kustomization: {finding}")
        passed, failed = (0, 1) if findings else (1, 0)
    else:
        print(
            f"check-deploy: kubectl not found: `kubectl kustomize {directory}` skipped; "
            "checking the files under `resources:` as written"
        )

    crds = crd_validators(directory / "schemas")
    for source, resource in resources:
        key = (resource.get("apiVersion"), resource.get("kind"))
        if key in crds:
            findings = check_custom_resource(resource, crds[key])
        else:
            findings = check_kubernetes(resource)
        if resource.get("kind") == "Ingress":
            findings += check_ingress_paths(resource)
        for finding in findings:
            print(f"check-deploy: {source}: {describe(resource)}: {finding}")
        if findings:
            failed += 1
        else:
            passed += 1

    versions = " and ".join(v.rsplit(".", 1)[0] for v in KUBERNETES_VERSIONS)
    print(
        f"check-deploy: SpinApps against spin-operator {SPIN_OPERATOR_VERSION}'s CRD, the rest against "
        f"Kubernetes {versions} (strict), Ingress paths against ingress-nginx's strict path rule"
    )
    print(f"check-deploy: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
