import { Module } from '@nestjs/common';
import { ModerationController } from './moderation.controller.ts';
import { ModerationPolicyService } from './moderation-policy.service.ts';
import { ModerationRepository } from './moderation.repository.ts';
import { ModerationService } from './moderation.service.ts';

/** Moderation before charging: the policy admission consults, its admin routes and its decision log. */
@Module({
  controllers: [ModerationController],
  providers: [ModerationService, ModerationPolicyService, ModerationRepository],
  exports: [ModerationService],
})
export class ModerationModule {}
