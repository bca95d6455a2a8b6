import { Global, Module } from '@nestjs/common';
import { ApiKeyDirectory } from './api-key-directory.ts';

/** What authentication shares with the rest of the app: the API-key directory. */
@Global()
@Module({ providers: [ApiKeyDirectory], exports: [ApiKeyDirectory] })
export class AuthModule {}
