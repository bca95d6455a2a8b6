import { TestBed } from '@angular/core/testing';
import { text } from '../../testing/fake-api';
import { BarChartComponent } from './bar-chart.component';

async function setup() {
  const fixture = TestBed.createComponent(BarChartComponent);
  fixture.componentRef.setInput('caption', 'Jobs and credits per day');
  fixture.componentRef.setInput('labelHeading', 'Day');
  fixture.componentRef.setInput('labels', ['1 Dec', '2 Dec']);
  fixture.componentRef.setInput('series', [
    { label: 'Jobs', values: [1, 0] },
    { label: 'Credits', values: [1200, 0] },
  ]);
  await fixture.whenStable();
  return { fixture, element: fixture.nativeElement as HTMLElement };
}

describe(BarChartComponent.name, () => {
  it('should describe the chart to screen readers with each series total', async () => {
    const { element } = await setup();

    const canvas = element.querySelector('canvas');
    expect(canvas?.getAttribute('role')).toBe('img');
    expect(canvas?.getAttribute('aria-label')).toBe(
      'Jobs and credits per day, 1 Dec to 2 Dec. Jobs: 1 in total; Credits: 1,200 in total. Choose Table for each value.',
    );
  });

  it('should show every value in a table when Table is chosen', async () => {
    const { fixture, element } = await setup();
    expect(element.querySelector('table')).toBeNull();

    element.querySelector<HTMLButtonElement>('[data-testid="chart-table-toggle"]')!.click();
    await fixture.whenStable();

    const cells = (row: Element) => [...row.querySelectorAll('th, td')].map((cell) => text(cell));
    expect([...element.querySelectorAll('tbody tr')].map(cells)).toEqual([
      ['1 Dec', '1', '1,200'],
      ['2 Dec', '0', '0'],
    ]);
    expect(cells(element.querySelector('thead tr')!)).toEqual(['Day', 'Jobs', 'Credits']);
    expect(element.querySelector('[data-testid="chart-table-toggle"]')?.getAttribute('aria-pressed')).toBe(
      'true',
    );
  });
});
