import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module.ts';
import { AdminTeamsController } from './admin-teams.controller.ts';
import { AdminTeamsService } from './admin-teams.service.ts';
import { InvitationsController } from './invitations.controller.ts';
import { InvitationsRepository } from './invitations.repository.ts';
import { InvitationsService } from './invitations.service.ts';
import { MembersController } from './members.controller.ts';
import { MembersRepository } from './members.repository.ts';
import { MembersService } from './members.service.ts';
import { TeamsController } from './teams.controller.ts';
import { TeamsRepository } from './teams.repository.ts';
import { TeamsService } from './teams.service.ts';
import { SsoModule } from './sso/sso.module.ts';

/** Teams, their members and invitations, and what install admins do to teams (see README, "Teams"). */
@Module({
  // SsoModule: memberships from the identity provider's groups, synced by the auth guard at sign-in.
  imports: [AccountsModule, SsoModule],
  controllers: [TeamsController, MembersController, InvitationsController, AdminTeamsController],
  providers: [
    TeamsRepository,
    MembersRepository,
    InvitationsRepository,
    TeamsService,
    MembersService,
    InvitationsService,
    AdminTeamsService,
  ],
  exports: [TeamsRepository, MembersRepository],
})
export class TeamsModule {}
