import { TestBed } from '@angular/core/testing';
import { text } from '../../testing/fake-api';
import { ProgressBarComponent } from './progress-bar.component';
import { StatusBadgeComponent } from './status-badge.component';

describe(StatusBadgeComponent.name, () => {
  it('should name the status in words when the job is running', async () => {
    const fixture = TestBed.createComponent(StatusBadgeComponent);
    fixture.componentRef.setInput('status', 'running');
    await fixture.whenStable();

    expect(text(fixture.nativeElement)).toBe('Rendering');
    expect(fixture.nativeElement.querySelector('.animate-pulse')).not.toBeNull();
  });

  it('should not pulse when the job is finished', async () => {
    const fixture = TestBed.createComponent(StatusBadgeComponent);
    fixture.componentRef.setInput('status', 'succeeded');
    await fixture.whenStable();

    expect(text(fixture.nativeElement)).toBe('Ready');
    expect(fixture.nativeElement.querySelector('.animate-pulse')).toBeNull();
  });
});

describe(ProgressBarComponent.name, () => {
  it('should expose the clamped percentage to assistive technology', async () => {
    const fixture = TestBed.createComponent(ProgressBarComponent);
    fixture.componentRef.setInput('percent', 140);
    fixture.componentRef.setInput('valueText', 'Step 50 of 50');
    await fixture.whenStable();

    const bar = fixture.nativeElement.querySelector('[role="progressbar"]') as HTMLElement;
    expect(bar.getAttribute('aria-valuenow')).toBe('100');
    expect(bar.getAttribute('aria-valuetext')).toBe('Step 50 of 50');
  });

  it('should leave out the value when progress is unknown', async () => {
    const fixture = TestBed.createComponent(ProgressBarComponent);
    await fixture.whenStable();

    expect(
      (fixture.nativeElement.querySelector('[role="progressbar"]') as HTMLElement).hasAttribute(
        'aria-valuenow',
      ),
    ).toBe(false);
  });
});
