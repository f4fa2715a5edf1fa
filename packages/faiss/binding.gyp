{
  "targets": [
    {
      "target_name": "lrat_faiss",
      "sources": ["src/addon.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-frtti", "-fopenmp", "-O2"],
      "libraries": ["-lfaiss", "-llapack", "-lblas", "-fopenmp"]
    }
  ]
}
