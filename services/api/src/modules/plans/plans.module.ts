import { Module } from '@nestjs/common';
import { PlansController } from './plans.controller.ts';
import { PlansRepository } from './plans.repository.ts';
import { PlansService } from './plans.service.ts';

/** The plans, the price table and quotes; admission and billing price through PlansService. */
@Module({
  controllers: [PlansController],
  providers: [PlansService, PlansRepository],
  exports: [PlansService],
})
export class PlansModule {}
