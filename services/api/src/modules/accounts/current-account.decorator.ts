import { type ExecutionContext, Injectable, type PipeTransform, createParamDecorator } from '@nestjs/common';
import type { AuthenticatedRequest } from '../../core/auth/current-principal.decorator.ts';
import { type Account, AccountsService } from './accounts.service.ts';

type AccountRequest = AuthenticatedRequest & { account?: Promise<Account> };

const CallerRequest = createParamDecorator((_: unknown, context: ExecutionContext): AccountRequest =>
  context.switchToHttp().getRequest<AccountRequest>(),
);

/**
 * Resolves the caller's account (created on first use, so a fresh sign-in can act at once) once
 * per request: the promise stays on the request, so a second `@CurrentAccount()` or a later
 * reader shares it.
 */
@Injectable()
export class CallerAccountPipe implements PipeTransform<AccountRequest, Promise<Account>> {
  constructor(private readonly accounts: AccountsService) {}

  transform(request: AccountRequest): Promise<Account> {
    const { principal } = request;
    if (!principal) throw new Error('CurrentAccount used on a route without authentication');
    request.account ??= this.accounts.forPrincipal(principal);
    return request.account;
  }
}

/** The caller's account, as a handler parameter. Its module must import AccountsModule. */
export const CurrentAccount = () => CallerRequest(CallerAccountPipe);
