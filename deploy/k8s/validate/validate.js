// Validates every object of every *.yaml file in a directory against the JSON schema of its kind, generated from
// the Kubernetes API's OpenAPI document (the kubernetes-models package: types, required fields, enums, formats).
// Usage: node validate.js <directory>. Prints one line per object; exits 1 on the first file with an invalid object.
"use strict";
const fs = require("fs");
const path = require("path");
const YAML = require("yaml");

const directory = path.resolve(process.argv[2] || "..");
const files = fs.readdirSync(directory).filter((f) => f.endsWith(".yaml") && !f.startsWith(".")).sort();
if (files.length === 0) {
  console.error(`no *.yaml files in ${directory}`);
  process.exit(1);
}

function modelFor(apiVersion, kind) {
  // "apps/v1" -> kubernetes-models/apps/v1/<Kind>; "v1" (the core group) -> kubernetes-models/v1/<Kind>
  const module = `kubernetes-models/${apiVersion}/${kind}`;
  try {
    return require(module)[kind];
  } catch (error) {
    throw new Error(`no schema for ${apiVersion} ${kind} (${module})`);
  }
}

let failures = 0;
let objects = 0;
for (const file of files) {
  const documents = YAML.parseAllDocuments(fs.readFileSync(path.join(directory, file), "utf8"), { uniqueKeys: true });
  for (const document of documents) {
    if (document.errors.length > 0) {
      console.error(`${file}: ${document.errors.map((e) => e.message).join("; ")}`);
      failures++;
      continue;
    }

    const object = document.toJS();
    if (object === null || object === undefined) {
      continue;
    }

    const name = `${file}: ${object.kind} ${object.metadata && object.metadata.name}`;
    try {
      const Model = modelFor(object.apiVersion, object.kind);
      new Model(object).validate();
      console.log(`valid   ${name}`);
      objects++;
    } catch (error) {
      console.error(`INVALID ${name}: ${error.message}`);
      failures++;
    }
  }
}

console.log(`${objects} objects valid, ${failures} invalid`);
process.exit(failures === 0 ? 0 : 1);
