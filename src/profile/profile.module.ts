import { Module } from '@nestjs/common';
import { AccountController } from './account.controller.js';
import { AccountService } from './account.service.js';
import { AvatarFileStore } from './avatar-file-store.js';
import { AvatarFilesController } from './avatar-files.controller.js';
import { AvatarReferences } from './avatar-references.service.js';
import { AvatarStorageService } from './avatar-storage.service.js';
import { MergedPersonSessions } from './merged-person-sessions.js';
import { NoQueryParamsGuard } from './no-query-params.guard.js';
import { OpenDataService } from './open-data.service.js';
import { PhoneBindingService } from './phone-binding.service.js';
import { ProfileUpdateService } from './profile-update.service.js';
import { ProfileWriter } from './profile-writer.service.js';
import { SessionKeyCheckService } from './session-key-check.service.js';
import { SessionKeyController } from './session-key.controller.js';
import { UsersController } from './users.controller.js';

/**
 * The caller's own user: profile, avatar upload, phone number, open-data decryption, session_key check,
 * account deletion and data export.
 * Needs the (global) WechatClient, UsersService and the auth module's SessionService; reaches auth
 * only through `auth/index.ts`.
 */
@Module({
  controllers: [UsersController, AccountController, SessionKeyController, AvatarFilesController],
  providers: [
    AccountService,
    ProfileWriter,
    ProfileUpdateService,
    AvatarStorageService,
    AvatarFileStore,
    AvatarReferences,
    PhoneBindingService,
    OpenDataService,
    SessionKeyCheckService,
    NoQueryParamsGuard,
    MergedPersonSessions,
  ],
  // The operator API deletes accounts the way their users do.
  exports: [AccountService],
})
export class ProfileModule {}
