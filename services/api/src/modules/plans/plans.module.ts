import { Module } from '@nestjs/common';
import { PlansController } from './plans.controller.ts';
import { PlansService } from './plans.service.ts';

/** The plans, the price table and quotes; admission and billing price through PlansService. */
@Module({
  controllers: [PlansController],
  providers: [PlansService],
  exports: [PlansService],
})
export class PlansModule {}
