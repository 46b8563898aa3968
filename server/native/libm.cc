// Batched access to the platform C math library (glibc on Linux), the library CPython's
// `math` module and float `**` call. One N-API call evaluates a whole Float64Array, because
// a call per value costs far more than the math itself.
//
// The functions are reached through volatile function pointers so the compiler cannot
// constant-fold, vectorise (libmvec) or replace them with its own expansions (e.g. pow(x, 2)
// -> x*x): the result must be exactly what glibc's own symbol returns, as in CPython.
#include <napi.h>
#include <cmath>
#include <cstddef>

namespace {

typedef double (*Fn1)(double);
typedef double (*Fn2)(double, double);


volatile Fn1 p_cos = &::cos;
volatile Fn1 p_sin = &::sin;
volatile Fn1 p_exp = &::exp;
volatile Fn1 p_log = &::log;
volatile Fn1 p_sqrt = &::sqrt;
volatile Fn1 p_tanh = &::tanh;
volatile Fn1 p_log2 = &::log2;
volatile Fn1 p_log10 = &::log10;
volatile Fn2 p_pow = &::pow;

bool GetF64(const Napi::Env& env, const Napi::Value& v, double** data, size_t* len) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    Napi::TypeError::New(env, "expected a Float64Array").ThrowAsJavaScriptException();
    return false;
  }
  Napi::Float64Array a = v.As<Napi::Float64Array>();
  *data = a.Data();
  *len = a.ElementLength();
  return true;
}

// fn(in: Float64Array, out: Float64Array, n?: number): evaluates out[i] = f(in[i]) for i < n.
template <volatile Fn1* F>
Napi::Value Map1(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  double* in;
  double* out;
  size_t nin, nout;
  if (info.Length() < 2 || !GetF64(env, info[0], &in, &nin) || !GetF64(env, info[1], &out, &nout)) {
    if (!env.IsExceptionPending()) Napi::TypeError::New(env, "expected (Float64Array, Float64Array)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  size_t n = nin < nout ? nin : nout;
  if (info.Length() > 2 && info[2].IsNumber()) {
    double want = info[2].As<Napi::Number>().DoubleValue();
    if (want >= 0 && want < static_cast<double>(n)) n = static_cast<size_t>(want);
  }
  Fn1 f = *F;
  for (size_t i = 0; i < n; i++) out[i] = f(in[i]);
  return env.Undefined();
}

// pow(x: Float64Array, y: Float64Array, out: Float64Array, n?: number)
Napi::Value Pow(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  double* x;
  double* y;
  double* out;
  size_t nx, ny, nout;
  if (info.Length() < 3 || !GetF64(env, info[0], &x, &nx) || !GetF64(env, info[1], &y, &ny) ||
      !GetF64(env, info[2], &out, &nout)) {
    if (!env.IsExceptionPending()) Napi::TypeError::New(env, "expected (Float64Array, Float64Array, Float64Array)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  size_t n = nx < ny ? nx : ny;
  if (nout < n) n = nout;
  if (info.Length() > 3 && info[3].IsNumber()) {
    double want = info[3].As<Napi::Number>().DoubleValue();
    if (want >= 0 && want < static_cast<double>(n)) n = static_cast<size_t>(want);
  }
  Fn2 f = p_pow;
  for (size_t i = 0; i < n; i++) out[i] = f(x[i], y[i]);
  return env.Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("cos", Napi::Function::New(env, Map1<&p_cos>, "cos"));
  exports.Set("sin", Napi::Function::New(env, Map1<&p_sin>, "sin"));
  exports.Set("exp", Napi::Function::New(env, Map1<&p_exp>, "exp"));
  exports.Set("log", Napi::Function::New(env, Map1<&p_log>, "log"));
  exports.Set("sqrt", Napi::Function::New(env, Map1<&p_sqrt>, "sqrt"));
  exports.Set("tanh", Napi::Function::New(env, Map1<&p_tanh>, "tanh"));
  exports.Set("log2", Napi::Function::New(env, Map1<&p_log2>, "log2"));
  exports.Set("log10", Napi::Function::New(env, Map1<&p_log10>, "log10"));
  exports.Set("pow", Napi::Function::New(env, Pow, "pow"));
  exports.Set("abiVersion", Napi::Number::New(env, 1));
  return exports;
}

}  // namespace

NODE_API_MODULE(optlint_libm, Init)
