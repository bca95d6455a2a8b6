import { Global, Module } from '@nestjs/common';
import { SignInRecorder } from '../../core/auth/sign-in-recorder.ts';
import { Database } from '../../core/database/database.ts';
import { AuditRepository } from './audit.repository.ts';
import { AuditController } from './audit.controller.ts';
import { AuditService } from './audit.service.ts';

/** The append-only, hash-chained audit log; global because every feature that changes money, keys or policy writes to it. */
@Global()
@Module({
  controllers: [AuditController],
  providers: [
    AuditService,
    { provide: AuditRepository, inject: [Database], useFactory: (db: Database) => new AuditRepository(db) },
    { provide: SignInRecorder, useExisting: AuditService },
  ],
  exports: [AuditService, SignInRecorder],
})
export class AuditModule {}
