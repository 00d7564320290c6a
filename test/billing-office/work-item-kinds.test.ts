import { describe, expect, it } from 'vitest';
import { WORK_ITEM_KINDS } from '../../src/billing-office/work-item-kinds.ts';
import { WORK_ITEM_CODES } from '../../worker/pipeline/build-task.ts';

describe('the billing queue and the worker name work items alike', () => {
  it('lists every kind of work item the worker raises, so none is left out of the queue', () => {
    const missing = WORK_ITEM_CODES.filter(
      (code) => !(WORK_ITEM_KINDS as readonly string[]).includes(code),
    );
    expect(missing).toEqual([]);
  });
});
