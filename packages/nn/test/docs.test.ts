import { describe, expect, it } from 'vitest';
import { docCoverage } from '../../../scripts/doc-coverage';

// Every public symbol of @chainrule/nn, and every public member of its classes, has a doc
// comment (TypeDoc builds the API reference from them). The failure lists what is missing.
describe('doc coverage of @chainrule/nn', () => {
  it('documents every export of src/index.ts and every public class member', () => {
    const { documented, missing } = docCoverage('nn');
    expect(missing, 'public symbols without a doc comment').toEqual([]);
    expect(docCoverage('nn/node').missing, 'in @chainrule/nn/node').toEqual([]);
    expect(documented).toEqual(
      expect.arrayContaining(['Module', 'Module.parameters', 'Linear.weight', 'Adam', 'crossEntropyLoss']),
    );
  });
});
