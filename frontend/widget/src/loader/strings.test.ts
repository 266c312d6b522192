// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { catalogueProblems } from '../shared/i18n-check';
import { LOADER_STRINGS } from './strings';

describe("the loader's catalogue", () => {
  it('has every key in every language, none empty, with the same placeholders as English', () => {
    expect(catalogueProblems(LOADER_STRINGS)).toEqual([]);
  });
});
