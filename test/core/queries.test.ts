import test from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { grammarsDir, initParser, loadQuery } from '../../server/src/core/parsing';

const dir = path.resolve(__dirname, '..', '..', '..', 'grammars');
const queries = fs.readdirSync(dir).filter((f) => f.endsWith('.scm'));

test('the grammars folder is found from the compiled code', () => {
  assert.equal(grammarsDir(), dir);
  assert.ok(queries.length > 0);
});

for (const backend of ['native', 'wasm'] as const) {
  test(`every query in grammars/ compiles on the ${backend} backend`, async () => {
    const parser = await initParser({ backend });
    for (const file of queries) {
      assert.doesNotThrow(() => parser.query(fs.readFileSync(path.join(dir, file), 'utf8')), file);
    }
  });

  test(`noqa-comments captures every comment, with UTF-16 positions, on the ${backend} backend`, async () => {
    const parser = await initParser({ backend });
    const text = 'modèle = 1  # noqa: OPT101\nx = "# not a comment"\n# 😀 noqa\n';
    const tree = parser.parse(text);
    const captures = loadQuery(parser, 'noqa-comments')!.captures(tree.rootNode);
    assert.deepEqual(
      captures.map((c) => [c.name, c.node.text, c.node.startPosition.row, c.node.startPosition.column]),
      [
        ['comment', '# noqa: OPT101', 0, 12],
        ['comment', '# 😀 noqa', 2, 0],
      ],
    );
    tree.delete();
  });
}
