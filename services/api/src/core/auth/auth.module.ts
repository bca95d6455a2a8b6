import { Global, Module } from '@nestjs/common';
import { ApiKeyDirectory } from './api-key-directory.ts';
import { ApiKeysRepository } from './api-keys.repository.ts';

/** What authentication shares with the rest of the app: the API-key directory and the keys' repository. */
@Global()
@Module({ providers: [ApiKeyDirectory, ApiKeysRepository], exports: [ApiKeyDirectory, ApiKeysRepository] })
export class AuthModule {}
