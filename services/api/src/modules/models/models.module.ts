import { Global, Module } from '@nestjs/common';
import { ModelAdmission } from './model-admission.service.ts';
import { ModelsController } from './models.controller.ts';
import { ModelsService } from './models.service.ts';
import { WorkerDirectory } from './worker-directory.service.ts';

/** The model catalog and the live workers; admission (jobs, internal, videos) checks jobs here. */
@Global()
@Module({
  controllers: [ModelsController],
  providers: [ModelAdmission, ModelsService, WorkerDirectory],
  exports: [ModelAdmission, WorkerDirectory],
})
export class ModelsModule {}
