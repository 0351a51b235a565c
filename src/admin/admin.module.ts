import { Module } from '@nestjs/common';
import { ProfileModule } from '../profile/profile.module.js';
import { AdminAuditController } from './admin-audit.controller.js';
import { AdminUsersController } from './admin-users.controller.js';
import { AdminUsers } from './admin-users.service.js';
import { OperatorAuditInterceptor } from './operator-audit.interceptor.js';
import { OperatorGuard } from './operator.guard.js';
import { UserBans } from './user-bans.service.js';

/**
 * The operator API under `/admin`: operators authenticate with named credentials from
 * `OPERATOR_CREDENTIALS` (OperatorGuard); with none configured every route answers 404.
 */
@Module({
  imports: [ProfileModule],
  controllers: [AdminUsersController, AdminAuditController],
  providers: [AdminUsers, UserBans, OperatorGuard, OperatorAuditInterceptor],
  exports: [OperatorGuard],
})
export class AdminModule {}
