import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { DevAuthProvider } from '../core/auth/dev-auth.provider';
import { SessionStore } from '../core/auth/session.store';
import { text } from '../testing/fake-api';
import { SignInPage } from './sign-in.page';

async function setup(signInDev = vi.fn(async () => undefined)) {
  TestBed.configureTestingModule({
    providers: [
      provideRouter([]),
      {
        provide: SessionStore,
        useValue: {
          start: async () => undefined,
          status: signal('signed-out'),
          signedIn: signal(false),
          provider: signal(new DevAuthProvider(sessionStorage)),
          error: signal(null),
          signInDev,
        },
      },
    ],
  });
  const navigate = vi.spyOn(TestBed.inject(Router), 'navigateByUrl').mockResolvedValue(true);
  const fixture = TestBed.createComponent(SignInPage);
  fixture.componentRef.setInput('returnUrl', '/create');
  await fixture.whenStable();
  const element = fixture.nativeElement as HTMLElement;
  const input = element.querySelector<HTMLInputElement>('#dev-user-id')!;
  const type = async (value: string) => {
    input.value = value;
    input.dispatchEvent(new Event('input'));
    await fixture.whenStable();
  };
  const submit = async () => {
    element.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await fixture.whenStable();
  };
  return { fixture, element, type, submit, signInDev, navigate };
}

describe(SignInPage.name, () => {
  it('should offer the local user-id form when the API is in dev mode', async () => {
    const { element } = await setup();

    expect(element.querySelector('label[for="dev-user-id"]')?.textContent).toContain('User id');
    expect(text(element)).toContain('Local development sign-in');
  });

  it('should sign in as an admin and return to where the person was heading', async () => {
    const { element, type, submit, signInDev, navigate } = await setup();
    await type('root');
    const admin = element.querySelector<HTMLInputElement>('input[name="admin"]')!;
    admin.checked = true;
    admin.dispatchEvent(new Event('change'));

    await submit();

    expect(signInDev).toHaveBeenCalledWith('root', true);
    expect(navigate).toHaveBeenCalledWith('/create');
  });

  it('should explain the problem and not sign in when the user id is empty', async () => {
    const { element, submit, signInDev } = await setup();

    await submit();

    expect(signInDev).not.toHaveBeenCalled();
    expect(element.querySelector('.field-error')?.textContent).toContain('Enter a user id');
    expect(element.querySelector('#dev-user-id')?.getAttribute('aria-invalid')).toBe('true');
  });

  it('should show the API detail when the sign-in is refused', async () => {
    const { element, type, submit } = await setup(
      vi.fn(async () => {
        throw new Error('Dev sign-in is disabled on this API.');
      }),
    );
    await type('alice');

    await submit();

    expect(element.querySelector('[role="alert"]')?.textContent).toContain(
      'Dev sign-in is disabled on this API.',
    );
  });
});
