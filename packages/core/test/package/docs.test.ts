import { describe, expect, it } from 'vitest';
import { docCoverage } from '../../../../scripts/doc-coverage';

// Every public symbol of @chainrule/core, and every public member of its classes, has a doc
// comment (TypeDoc builds the API reference from them). The failure lists what is missing.
describe('doc coverage of @chainrule/core', () => {
  it('documents every export of src/index.ts and every public class member', () => {
    const { documented, missing } = docCoverage('core');
    expect(missing, 'public symbols without a doc comment').toEqual([]);
    expect(documented).toEqual(
      expect.arrayContaining(['Tensor', 'Tensor.matmul', 'Value.tanh', 'tensor', 'gradcheck']),
    );
  });
});
