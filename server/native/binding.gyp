{
  "targets": [
    {
      "target_name": "optlint_libm",
      "sources": ["libm.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags!": ["-ffast-math", "-fno-exceptions"],
      "cflags_cc!": ["-ffast-math", "-fno-exceptions"],
      "cflags_cc": [
        "-O2",
        "-fno-fast-math",
        "-fno-builtin",
        "-fno-tree-vectorize",
        "-fno-unsafe-math-optimizations",
        "-ffp-contract=off",
        "-fmath-errno"
      ],
      "xcode_settings": {
        "OTHER_CPLUSPLUSFLAGS": ["-fno-fast-math", "-fno-builtin", "-ffp-contract=off"]
      },
      "msvs_settings": {
        "VCCLCompilerTool": { "AdditionalOptions": ["/fp:precise"] }
      }
    },
    {
      "target_name": "optlint_tsflat",
      "sources": ["tsflat.cc", "tsflat_walk.c"],
      "dependencies": ["ts_runtime"],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<(ts_dir)/vendor/tree-sitter/lib/include",
        "<(ts_dir)/vendor/tree-sitter/lib/src"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_c": ["-std=c11", "-O2", "-fvisibility=hidden"],
      "cflags_cc": ["-O2", "-fvisibility=hidden"]
    },
    {
      "target_name": "ts_runtime",
      "type": "static_library",
      "sources": ["<(ts_dir)/vendor/tree-sitter/lib/src/lib.c"],
      "include_dirs": ["<(ts_dir)/vendor/tree-sitter/lib/src", "<(ts_dir)/vendor/tree-sitter/lib/include"],
      "defines": ["_POSIX_C_SOURCE=200112L", "_DEFAULT_SOURCE"],
      "cflags_c": ["-std=c11", "-O2", "-fvisibility=hidden"]
    }
  ],
  "variables": {
    "ts_dir": "<!(node -p \"require('path').relative(process.cwd(), require('path').dirname(require.resolve('tree-sitter/package.json'))).split(require('path').sep).join('/')\")"
  }
}
