// @lrat/faiss: the slice of FAISS the LRAT indexer uses, as an N-API addon built against the system
// libfaiss (Debian: libfaiss-dev). Vectors cross the boundary as Float32Array without copying; labels
// come back as Float64Array (faiss ids are int64; ours stay far below 2^53).
#include <napi.h>

#include <faiss/AutoTune.h>
#include <faiss/Index.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/IDSelector.h>
#include <faiss/impl/io.h>
#include <faiss/index_factory.h>
#include <faiss/index_io.h>

#include <dlfcn.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace {

// faiss's id type is int64_t everywhere; 1.7.3 (Debian 12) names it faiss::Index::idx_t, later
// releases faiss::idx_t, so spell it out.
using idx_t = int64_t;

class Index : public Napi::ObjectWrap<Index> {
 public:
  static Napi::Object Init(Napi::Env env, Napi::Object exports) {
    Napi::Function fn = DefineClass(env, "Index", {
      StaticMethod("fromFactory", &Index::FromFactory),
      StaticMethod("fromBuffer", &Index::FromBuffer),
      InstanceMethod("ntotal", &Index::Ntotal),
      InstanceMethod("getDimension", &Index::GetDimension),
      InstanceMethod("isTrained", &Index::IsTrained),
      InstanceMethod("add", &Index::Add),
      InstanceMethod("train", &Index::Train),
      InstanceMethod("search", &Index::Search),
      InstanceMethod("toBuffer", &Index::ToBuffer),
      InstanceMethod("removeIds", &Index::RemoveIds),
      InstanceMethod("setParam", &Index::SetParam),
    });
    // One constructor per Node environment (the main thread and each worker thread that loads the
    // addon): a process-wide static reference is torn down by whichever thread exits first.
    env.SetInstanceData<Napi::FunctionReference>(new Napi::FunctionReference(Napi::Persistent(fn)));
    exports.Set("Index", fn);
    return exports;
  }

  explicit Index(const Napi::CallbackInfo &info) : Napi::ObjectWrap<Index>(info) {
    if (info.Length() != 1 || !info[0].IsExternal()) {
      Napi::TypeError::New(info.Env(), "use Index.fromFactory(dims, description, metric) or Index.fromBuffer(buffer)").ThrowAsJavaScriptException();
      return;
    }
    index_.reset(info[0].As<Napi::External<faiss::Index>>().Data());
  }

 private:
  std::unique_ptr<faiss::Index> index_;

  static Napi::Value Wrap(Napi::Env env, faiss::Index *raw) {
    return env.GetInstanceData<Napi::FunctionReference>()->New({Napi::External<faiss::Index>::New(env, raw)});
  }

  // A Float32Array whose length is a multiple of the dimension; n receives the number of rows.
  bool Rows(const Napi::CallbackInfo &info, size_t arg, const float **data, idx_t *n) {
    Napi::Env env = info.Env();
    if (info.Length() <= arg || !info[arg].IsTypedArray() || info[arg].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
      Napi::TypeError::New(env, "expected a Float32Array of vectors").ThrowAsJavaScriptException();
      return false;
    }
    Napi::Float32Array a = info[arg].As<Napi::Float32Array>();
    size_t d = static_cast<size_t>(index_->d);
    if (a.ElementLength() % d != 0) {
      Napi::RangeError::New(env, "vector data length " + std::to_string(a.ElementLength()) + " is not a multiple of the dimension " + std::to_string(d)).ThrowAsJavaScriptException();
      return false;
    }
    *data = a.Data();
    *n = static_cast<idx_t>(a.ElementLength() / d);
    return true;
  }

  static Napi::Value FromFactory(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsString()) {
      Napi::TypeError::New(env, "fromFactory(dims: number, description: string, metric?: number)").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    int dims = info[0].As<Napi::Number>().Int32Value();
    std::string description = info[1].As<Napi::String>().Utf8Value();
    int metric = info.Length() > 2 && info[2].IsNumber() ? info[2].As<Napi::Number>().Int32Value() : faiss::METRIC_L2;
    if (dims < 1) {
      Napi::RangeError::New(env, "fromFactory: dims must be >= 1").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    try {
      return Wrap(env, faiss::index_factory(dims, description.c_str(), static_cast<faiss::MetricType>(metric)));
    } catch (const std::exception &e) {
      Napi::Error::New(env, std::string("faiss index_factory(\"") + description + "\"): " + e.what()).ThrowAsJavaScriptException();
      return env.Undefined();
    }
  }

  static Napi::Value FromBuffer(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsBuffer()) {
      Napi::TypeError::New(env, "fromBuffer(buffer: Buffer)").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    Napi::Buffer<uint8_t> buf = info[0].As<Napi::Buffer<uint8_t>>();
    try {
      faiss::VectorIOReader reader;
      reader.data.assign(buf.Data(), buf.Data() + buf.Length());
      return Wrap(env, faiss::read_index(&reader));
    } catch (const std::exception &e) {
      Napi::Error::New(env, std::string("faiss read_index: ") + e.what()).ThrowAsJavaScriptException();
      return env.Undefined();
    }
  }

  Napi::Value Ntotal(const Napi::CallbackInfo &info) { return Napi::Number::New(info.Env(), static_cast<double>(index_->ntotal)); }
  Napi::Value GetDimension(const Napi::CallbackInfo &info) { return Napi::Number::New(info.Env(), index_->d); }
  Napi::Value IsTrained(const Napi::CallbackInfo &info) { return Napi::Boolean::New(info.Env(), index_->is_trained); }

  Napi::Value Add(const Napi::CallbackInfo &info) {
    const float *x;
    idx_t n;
    if (!Rows(info, 0, &x, &n)) return info.Env().Undefined();
    try {
      index_->add(n, x);
    } catch (const std::exception &e) {
      Napi::Error::New(info.Env(), std::string("faiss add: ") + e.what()).ThrowAsJavaScriptException();
    }
    return info.Env().Undefined();
  }

  Napi::Value Train(const Napi::CallbackInfo &info) {
    const float *x;
    idx_t n;
    if (!Rows(info, 0, &x, &n)) return info.Env().Undefined();
    try {
      index_->train(n, x);
    } catch (const std::exception &e) {
      Napi::Error::New(info.Env(), std::string("faiss train: ") + e.what()).ThrowAsJavaScriptException();
    }
    return info.Env().Undefined();
  }

  Napi::Value Search(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    const float *x;
    idx_t nq;
    if (!Rows(info, 0, &x, &nq)) return env.Undefined();
    if (info.Length() < 2 || !info[1].IsNumber() || info[1].As<Napi::Number>().Int64Value() < 1) {
      Napi::TypeError::New(env, "search(queries: Float32Array, k: number >= 1)").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    idx_t k = info[1].As<Napi::Number>().Int64Value();
    std::vector<float> distances(static_cast<size_t>(nq * k));
    std::vector<idx_t> labels(static_cast<size_t>(nq * k));
    try {
      index_->search(nq, x, k, distances.data(), labels.data());
    } catch (const std::exception &e) {
      Napi::Error::New(env, std::string("faiss search: ") + e.what()).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    Napi::Float32Array d = Napi::Float32Array::New(env, distances.size());
    std::memcpy(d.Data(), distances.data(), distances.size() * sizeof(float));
    Napi::Float64Array l = Napi::Float64Array::New(env, labels.size());
    for (size_t i = 0; i < labels.size(); i++) l[i] = static_cast<double>(labels[i]);
    Napi::Object out = Napi::Object::New(env);
    out.Set("distances", d);
    out.Set("labels", l);
    return out;
  }

  Napi::Value ToBuffer(const Napi::CallbackInfo &info) {
    try {
      faiss::VectorIOWriter writer;
      faiss::write_index(index_.get(), &writer);
      return Napi::Buffer<uint8_t>::Copy(info.Env(), writer.data.data(), writer.data.size());
    } catch (const std::exception &e) {
      Napi::Error::New(info.Env(), std::string("faiss write_index: ") + e.what()).ThrowAsJavaScriptException();
      return info.Env().Undefined();
    }
  }

  Napi::Value RemoveIds(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsArray()) {
      Napi::TypeError::New(env, "removeIds(ids: number[])").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    Napi::Array a = info[0].As<Napi::Array>();
    std::vector<idx_t> ids(a.Length());
    for (uint32_t i = 0; i < a.Length(); i++) ids[i] = a.Get(i).As<Napi::Number>().Int64Value();
    try {
      faiss::IDSelectorBatch sel(ids.size(), ids.data());
      return Napi::Number::New(env, static_cast<double>(index_->remove_ids(sel)));
    } catch (const std::exception &e) {
      Napi::Error::New(env, std::string("faiss remove_ids: ") + e.what()).ThrowAsJavaScriptException();
      return env.Undefined();
    }
  }

  // Query-time parameters by name (efSearch for HNSW, nprobe for IVF), through faiss's ParameterSpace.
  Napi::Value SetParam(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsString() || !info[1].IsNumber()) {
      Napi::TypeError::New(env, "setParam(name: string, value: number)").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    try {
      faiss::ParameterSpace().set_index_parameter(index_.get(), info[0].As<Napi::String>().Utf8Value(), info[1].As<Napi::Number>().DoubleValue());
    } catch (const std::exception &e) {
      Napi::Error::New(env, std::string("faiss setParam: ") + e.what()).ThrowAsJavaScriptException();
    }
    return env.Undefined();
  }
};


// ---- Dense products through the BLAS libfaiss links (-lblas; OpenBLAS on Debian) ----------------
// @lrat/trainer multiplies its tfjs tensors here: a native sgemm is ≈ 3.5× the single-threaded wasm
// kernel on this CPU, with transposed operands at full speed.

// The Fortran interface every BLAS exports (column-major, arguments by reference).
extern "C" int sgemm_(const char *transa, const char *transb, const int *m, const int *n, const int *k, const float *alpha, const float *a, const int *lda, const float *b, const int *ldb, const float *beta, float *c, const int *ldc);

// sgemm(transA, transB, m, n, k, a, b, c, batch, strideA, strideB, strideC): for each batch entry i,
// c[i] = op(a[i]) · op(b[i]), row-major, op(x) = xᵀ when its flag is set; a stride of 0 broadcasts
// that operand. Row-major C = A·B is column-major Cᵀ = Bᵀ·Aᵀ, so the operands swap places.
Napi::Value Sgemm(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() != 12 || !info[0].IsBoolean() || !info[1].IsBoolean() || !info[5].IsTypedArray() || !info[6].IsTypedArray() || !info[7].IsTypedArray()) {
    Napi::TypeError::New(env, "sgemm(transA, transB, m, n, k, a, b, c, batch, strideA, strideB, strideC)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  for (size_t i = 5; i <= 7; i++) {
    if (info[i].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
      Napi::TypeError::New(env, "sgemm: a, b and c must be Float32Array").ThrowAsJavaScriptException();
      return env.Undefined();
    }
  }
  const bool ta = info[0].As<Napi::Boolean>().Value();
  const bool tb = info[1].As<Napi::Boolean>().Value();
  int64_t dims[7];
  for (int i = 0; i < 3; i++) dims[i] = info[2 + i].As<Napi::Number>().Int64Value();
  for (int i = 0; i < 4; i++) dims[3 + i] = info[8 + i].As<Napi::Number>().Int64Value();
  const int64_t m = dims[0], n = dims[1], k = dims[2], batch = dims[3], sa = dims[4], sb = dims[5], sc = dims[6];
  Napi::Float32Array fa = info[5].As<Napi::Float32Array>(), fb = info[6].As<Napi::Float32Array>(), fc = info[7].As<Napi::Float32Array>();
  const size_t la = fa.ElementLength(), lb = fb.ElementLength(), lc = fc.ElementLength();
  const float *a = fa.Data();
  const float *b = fb.Data();
  float *c = fc.Data();
  const bool sizes = m >= 0 && n >= 0 && k >= 0 && batch >= 0 && m < INT32_MAX && n < INT32_MAX && k < INT32_MAX && sa >= 0 && sb >= 0 && sc >= m * n;
  const auto fits = [batch](int64_t stride, int64_t size, size_t length) { return batch == 0 || (batch - 1) * stride + size <= static_cast<int64_t>(length); };
  if (!sizes || !fits(sa, m * k, la) || !fits(sb, k * n, lb) || !fits(sc, m * n, lc)) {
    Napi::RangeError::New(env, "sgemm: shapes and strides do not fit the arrays").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (m == 0 || n == 0) return env.Undefined();
  const int M = static_cast<int>(m), N = static_cast<int>(n), K = static_cast<int>(k);
  const int lda = ta ? M : K, ldb = tb ? K : N, ldc = N;
  const float one = 1.0f, zero = 0.0f;
  const char opA = ta ? 'T' : 'N', opB = tb ? 'T' : 'N';
  for (int64_t i = 0; i < batch; i++) {
    float *ci = c + i * sc;
    if (K == 0) {
      std::memset(ci, 0, sizeof(float) * m * n);
      continue;
    }
    sgemm_(&opB, &opA, &N, &M, &K, &one, b + i * sb, &ldb, a + i * sa, &lda, &zero, ci, &ldc);
  }
  return env.Undefined();
}

// blasThreads(n): OpenBLAS's thread count for every later call, when the BLAS is OpenBLAS (looked up
// at run time: the reference BLAS has no threads). Returns whether it was set.
Napi::Value BlasThreads(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsNumber()) {
    Napi::TypeError::New(env, "blasThreads(n: number)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  using SetThreads = void (*)(int);
  auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (set) set(info[0].As<Napi::Number>().Int32Value());
  return Napi::Boolean::New(env, set != nullptr);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  Index::Init(env, exports);
  Napi::Object metric = Napi::Object::New(env);
  metric.Set("METRIC_INNER_PRODUCT", Napi::Number::New(env, faiss::METRIC_INNER_PRODUCT));
  metric.Set("METRIC_L2", Napi::Number::New(env, faiss::METRIC_L2));
  exports.Set("MetricType", metric);
  exports.Set("sgemm", Napi::Function::New(env, Sgemm, "sgemm"));
  exports.Set("blasThreads", Napi::Function::New(env, BlasThreads, "blasThreads"));
  return exports;
}

}  // namespace

NODE_API_MODULE(lrat_faiss, Init)
