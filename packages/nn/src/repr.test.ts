import { describe, expect, it } from 'vitest';
import { addIndent, describeValue, pyFloat, pyValue, torchShape } from './repr.js';

describe('Python-style formatting', () => {
  it('formats floats as Python\'s repr', () => {
    expect([1e-5, 0.1, 2, 0.0001, 1e-7, 1.5e16, -0.25].map(pyFloat)).toEqual(['1e-05', '0.1', '2.0', '0.0001', '1e-07', '1.5e+16', '-0.25']);
  });

  it('formats values, indents nested reprs and writes shapes', () => {
    expect([pyValue([5, 5]), pyValue(true), pyValue(null), pyValue('same'), pyValue(3)]).toEqual(['(5, 5)', 'True', 'None', 'same', '3']);
    expect(addIndent('A(\n  (0): B()\n)', 2)).toBe('A(\n    (0): B()\n  )');
    expect(torchShape([6, 4, 3, 3])).toBe('[6, 4, 3, 3]');
    expect([describeValue([1]), describeValue(null), describeValue(2), describeValue(Object.create(null))]).toEqual(['Array', 'null', 'number', 'object']);
  });
});
