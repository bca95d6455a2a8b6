import { limitInputs, readLimits } from './team-limits';

const current = { activeJobLimit: 3, monthlyCreditQuota: null, memberMonthlyCap: 100 };

describe('team limits form', () => {
  it('should show no limit as an empty field', () => {
    expect(limitInputs(current)).toEqual({
      activeJobLimit: '3',
      monthlyCreditQuota: '',
      memberMonthlyCap: '100',
    });
  });

  it('should send only the limits that changed, an emptied field as no limit', () => {
    expect(
      readLimits({ activeJobLimit: '3', monthlyCreditQuota: '10,000', memberMonthlyCap: '' }, current),
    ).toEqual({
      request: { monthlyCreditQuota: 10_000, memberMonthlyCap: null },
      errors: {},
    });
  });

  it('should name each field that is not a whole number in its range', () => {
    const { errors } = readLimits(
      { activeJobLimit: '10001', monthlyCreditQuota: '-1', memberMonthlyCap: 'lots' },
      current,
    );

    expect(errors).toEqual({
      activeJobLimit: 'Enter a number from 1 to 10,000.',
      monthlyCreditQuota: 'Enter a whole number, or leave it empty for no limit.',
      memberMonthlyCap: 'Enter a whole number, or leave it empty for no limit.',
    });
  });
});
