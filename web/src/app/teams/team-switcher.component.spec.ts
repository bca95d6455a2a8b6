import { computed, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { TeamSummary } from '@cineweave/contracts';
import { text } from '../testing/fake-api';
import { TeamSwitcherComponent } from './team-switcher.component';
import { TeamsStore } from './teams.store';
import { aTeam, PERSONAL_ID, STUDIO_ID, studio } from './teams.fixture';

async function setup() {
  const currentId = signal(PERSONAL_ID);
  const teams = signal<TeamSummary[]>([aTeam(), studio({ role: 'admin' })]);
  const store = {
    teams,
    current: computed(() => teams().find((team) => team.id === currentId()) ?? null),
    error: signal<string | null>(null),
    switchTo: vi.fn(async (id: string) => currentId.set(id)),
  };
  TestBed.configureTestingModule({
    providers: [provideRouter([]), { provide: TeamsStore, useValue: store }],
  });
  const fixture = TestBed.createComponent(TeamSwitcherComponent);
  await fixture.whenStable();
  const element = fixture.nativeElement as HTMLElement;
  const toggle = element.querySelector<HTMLButtonElement>('[data-testid="team-switcher"]')!;
  return { fixture, element, toggle, store };
}

describe(TeamSwitcherComponent.name, () => {
  it('should name the current team and list every team with the current one marked', async () => {
    const { fixture, element, toggle } = await setup();
    expect(text(element.querySelector('[data-testid="current-team"]'))).toBe('Personal');
    expect(toggle.getAttribute('aria-expanded')).toBe('false');

    toggle.click();
    await fixture.whenStable();

    const options = [...element.querySelectorAll('[data-testid="team-option"]')];
    const lines = (option: Element) => [...option.querySelectorAll('.block')].map((line) => text(line));
    expect(options.map(lines)).toEqual([
      ['Personal', 'Personal · default'],
      ['Trailer studio', 'Admin'],
    ]);
    expect(text(options[0].querySelector('.sr-only'))).toBe('(current)');
    expect(options[0].getAttribute('aria-current')).toBe('true');
    expect(options[1].getAttribute('aria-current')).toBeNull();
    expect(element.querySelector('[data-testid="create-team-link"]')?.getAttribute('href')).toBe(
      '/teams/new',
    );
    expect(element.querySelector('[data-testid="team-settings-link"]')?.getAttribute('href')).toBe(
      `/teams/${PERSONAL_ID}`,
    );
  });

  it('should switch to the team chosen and close', async () => {
    const { fixture, element, toggle, store } = await setup();
    toggle.click();
    await fixture.whenStable();

    element.querySelector<HTMLButtonElement>(`[data-team-id="${STUDIO_ID}"]`)!.click();
    await fixture.whenStable();

    expect(store.switchTo).toHaveBeenCalledWith(STUDIO_ID);
    expect(text(element.querySelector('[data-testid="current-team"]'))).toBe('Trailer studio');
    expect(element.querySelector('[data-testid="team-option"]')).toBeNull();
  });

  it('should close on Escape and give the focus back to the button', async () => {
    const { fixture, element, toggle } = await setup();
    toggle.click();
    await fixture.whenStable();

    element.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    await fixture.whenStable();

    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(document.activeElement === toggle || !document.body.contains(toggle)).toBe(true);
  });
});
