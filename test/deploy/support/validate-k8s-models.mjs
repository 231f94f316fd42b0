// Validates Kubernetes objects with the kubernetes-models schemas (and @kubernetes-models/keda
// for KEDA). Runs as a child process of the Jest test because these packages are ES modules
// only, which Jest's CommonJS runtime cannot load without experimental VM flags.
//
// stdin:  JSON array of objects.
// stdout: JSON array, one entry per object: { status: "valid" } | { status: "invalid",
//         error } | { status: "no-model" } (no model package knows the apiVersion/kind).

const MODEL_PACKAGES = ['kubernetes-models', '@kubernetes-models/keda'];

async function modelClass(apiVersion, kind) {
  for (const pkg of MODEL_PACKAGES) {
    let mod;
    try {
      mod = await import(`${pkg}/${apiVersion}`);
    } catch (error) {
      if (error && (error.code === 'ERR_PACKAGE_PATH_NOT_EXPORTED' || error.code === 'ERR_MODULE_NOT_FOUND')) continue;
      throw error;
    }
    const Model = mod[kind];
    if (typeof Model === 'function' && Model.apiVersion === apiVersion && Model.kind === kind) return Model;
  }
  return undefined;
}

function describe(error) {
  if (Array.isArray(error?.errors)) {
    return error.errors.map((e) => `${e.instancePath || '/'} ${e.message}${e.params ? ' ' + JSON.stringify(e.params) : ''}`).join('; ');
  }
  return String(error?.message ?? error);
}

let input = '';
for await (const chunk of process.stdin) input += chunk;
const objects = JSON.parse(input);
const results = [];
for (const object of objects) {
  const Model = await modelClass(String(object.apiVersion), String(object.kind));
  if (!Model) {
    results.push({ status: 'no-model' });
    continue;
  }
  try {
    new Model(object).validate();
    results.push({ status: 'valid' });
  } catch (error) {
    results.push({ status: 'invalid', error: describe(error) });
  }
}
process.stdout.write(JSON.stringify(results));
