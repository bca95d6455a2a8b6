import { Module } from '@nestjs/common';
import { JobTransitions } from './job-transitions.ts';

/** The job's state machine, for every module that changes a job's status (jobs, retention). */
@Module({ providers: [JobTransitions], exports: [JobTransitions] })
export class JobStateModule {}
