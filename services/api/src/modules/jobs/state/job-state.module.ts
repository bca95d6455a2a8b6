import { Module } from '@nestjs/common';
import { JobsRepository } from '../jobs.repository.ts';
import { JobTransitions } from './job-transitions.ts';

/**
 * A job's stored state, for every module that reads or changes it (jobs, internal, retention):
 * its repository and its state machine.
 */
@Module({ providers: [JobsRepository, JobTransitions], exports: [JobsRepository, JobTransitions] })
export class JobStateModule {}
