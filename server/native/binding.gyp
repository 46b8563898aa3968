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
    }
  ]
}
