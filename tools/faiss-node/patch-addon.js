#!/usr/bin/env node
// Patches faiss-node 0.5.1's addon source before it is compiled against the system libfaiss:
//  1. faiss 1.7.3 (Debian 12) names the id type faiss::Index::idx_t where faiss-node expects faiss::idx_t;
//  2. a Float32Array fast path for add/train/search (the stock addon converts a JS number[] element by
//     element, ≈20× slower), whose search also answers with typed arrays;
//  3. setParam(name, value) through faiss::ParameterSpace, for HNSW efSearch / IVF nprobe at query time.
// Idempotent: a patched file carries the LRAT_PATCHED marker and is left alone.
const fs = require('fs');
const path = require('path');

const pkg = process.argv[2];
const file = path.join(pkg, 'src', 'faiss.cc');
let src = fs.readFileSync(file, 'utf8');
if (src.includes('LRAT_PATCHED')) {
  console.log('faiss-node source already patched');
  process.exit(0);
}
function replaceOnce(from, to) {
  const at = src.indexOf(from);
  if (at < 0) throw new Error(`faiss-node patch: anchor not found: ${from.slice(0, 60)}`);
  src = src.slice(0, at) + to + src.slice(at + from.length);
}

const metricHeader = fs.existsSync('/usr/include/faiss/MetricType.h')
  ? fs.readFileSync('/usr/include/faiss/MetricType.h', 'utf8')
  : '';
if (!/\bidx_t\b/.test(metricHeader)) src = src.split('faiss::idx_t').join('faiss::Index::idx_t');

replaceOnce(
  '#include <faiss/impl/IDSelector.h>',
  `#include <faiss/impl/IDSelector.h>
#include <faiss/AutoTune.h>
// LRAT_PATCHED: typed-array fast paths and setParam (tools/faiss-node/patch-addon.js)
static bool lratFloat32(const Napi::Value &v, float **data, size_t *length)
{
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    return false;
  Napi::Float32Array a = v.As<Napi::Float32Array>();
  *data = a.Data();
  *length = a.ElementLength();
  return true;
}`,
);

const fastPath = (call) => `    {
      float *typed;
      size_t typedLength;
      if (lratFloat32(info[0], &typed, &typedLength))
      {
        if (typedLength % index_->d != 0)
        {
          Napi::Error::New(env, "Invalid the given array length.").ThrowAsJavaScriptException();
          return env.Undefined();
        }
        ${call}
        return env.Undefined();
      }
    }
    if (!info[0].IsArray())`;

// add and train: the first "if (!info[0].IsArray())" after each signature.
for (const [name, call] of [
  ['add', 'index_->add(typedLength / index_->d, typed);'],
  ['train', 'index_->train(typedLength / index_->d, typed);'],
]) {
  const sig = `Napi::Value ${name}(const Napi::CallbackInfo &info)`;
  const at = src.indexOf(sig);
  if (at < 0) throw new Error(`faiss-node patch: ${name} not found`);
  const check = src.indexOf('    if (!info[0].IsArray())', at);
  src = src.slice(0, check) + fastPath(call) + src.slice(check + '    if (!info[0].IsArray())'.length);
}

// search: typed queries in, typed distances (Float32Array) and labels (Float64Array) out.
{
  const sig = 'Napi::Value search(const Napi::CallbackInfo &info)';
  const at = src.indexOf(sig);
  const anchor = '    const uint32_t k = info[1].As<Napi::Number>().Uint32Value();';
  const kAt = src.indexOf(anchor, at);
  const after = src.indexOf('\n', src.indexOf('return env.Undefined();', src.indexOf('if (k > index_->ntotal)', kAt)) + 1);
  const endOfIf = src.indexOf('}', after) + 1;
  const typedSearch = `
    {
      float *typed;
      size_t typedLength;
      if (lratFloat32(info[0], &typed, &typedLength))
      {
        if (typedLength % index_->d != 0)
        {
          Napi::Error::New(env, "Invalid the given array length.").ThrowAsJavaScriptException();
          return env.Undefined();
        }
        size_t nq = typedLength / index_->d;
        Napi::Float32Array distances = Napi::Float32Array::New(env, k * nq);
        std::vector<idx_t> I(k * nq);
        index_->search(nq, typed, k, distances.Data(), I.data());
        Napi::Float64Array labels = Napi::Float64Array::New(env, k * nq);
        for (size_t i = 0; i < k * nq; i++)
          labels[i] = static_cast<double>(I[i]);
        Napi::Object results = Napi::Object::New(env);
        results.Set("distances", distances);
        results.Set("labels", labels);
        return results;
      }
    }`;
  src = src.slice(0, endOfIf) + typedSearch + src.slice(endOfIf);
  // The stock Array check sits before k is read; the typed path must get past it.
  const arrCheck = src.indexOf('    if (!info[0].IsArray())', at);
  src = src.slice(0, arrCheck) + '    if (!info[0].IsArray() && !info[0].IsTypedArray())' + src.slice(arrCheck + '    if (!info[0].IsArray())'.length);
}

// setParam(name, value): faiss::ParameterSpace understands efSearch, nprobe, ...
replaceOnce(
  '  Napi::Value removeIds(const Napi::CallbackInfo &info)',
  `  Napi::Value setParam(const Napi::CallbackInfo &info)
  {
    Napi::Env env = info.Env();
    if (info.Length() != 2 || !info[0].IsString() || !info[1].IsNumber())
    {
      Napi::TypeError::New(env, "setParam(name: string, value: number)").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    try
    {
      faiss::ParameterSpace().set_index_parameter(index_.get(), info[0].As<Napi::String>().Utf8Value(),
                                                  info[1].As<Napi::Number>().DoubleValue());
    }
    catch (const faiss::FaissException &ex)
    {
      Napi::Error::New(env, ex.what()).ThrowAsJavaScriptException();
    }
    return env.Undefined();
  }

  Napi::Value removeIds(const Napi::CallbackInfo &info)`,
);
src = src.replace(/InstanceMethod\("removeIds", &(\w+)::removeIds\),/g, 'InstanceMethod("removeIds", &$1::removeIds),\n      InstanceMethod("setParam", &$1::setParam),');

fs.writeFileSync(file, src);
console.log('faiss-node source patched (idx_t, typed arrays, setParam)');
