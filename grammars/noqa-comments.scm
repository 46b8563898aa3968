; Every comment: optlint reads `# noqa` / `# noqa: OPT101` directives from them.
(comment) @comment
