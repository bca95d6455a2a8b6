import { Global, Module } from '@nestjs/common';
import { GroupMembershipSync } from '../../../core/auth/group-membership-sync.ts';
import { AccountsModule } from '../../accounts/accounts.module.ts';
import { SsoMembershipsRepository } from './sso-memberships.repository.ts';
import { SsoMembershipSync } from './sso-membership-sync.service.ts';

/**
 * Team membership from the identity provider's groups (SSO_GROUPS_CLAIM, SSO_TEAM_MAPPINGS).
 * Global because the auth guard, which every module's routes pass, is told of each request.
 */
@Global()
@Module({
  imports: [AccountsModule],
  providers: [
    SsoMembershipsRepository,
    SsoMembershipSync,
    { provide: GroupMembershipSync, useExisting: SsoMembershipSync },
  ],
  exports: [GroupMembershipSync, SsoMembershipSync],
})
export class SsoModule {}
