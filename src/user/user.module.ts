import { Module, type DynamicModule } from '@nestjs/common';
import { getRepositoryToken, TypeOrmModule } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { DEFAULT_USERS_TABLE, userEntity, type User } from './user.entity.js';
import { UsersService } from './user.service.js';

/** @publicApi */
export interface UserModuleOptions {
  /** Where the users live. Default `users`; pick another name when your app has its own `users` table. */
  tableName?: string;
  /** Register globally, so feature modules can inject `UsersService` without importing this module. */
  isGlobal?: boolean;
}

/**
 * Users on TypeORM: provides {@link UsersService}, the auth module's default users port. Needs the
 * app's TypeORM connection (`TypeOrmModule.forRoot`) with `userEntity(tableName)` among its entities
 * (or `autoLoadEntities: true`) and `userMigrations(tableName)` among its migrations.
 * @publicApi
 */
@Module({})
export class UserModule {
  static forRoot({
    tableName = DEFAULT_USERS_TABLE,
    isGlobal = false,
  }: UserModuleOptions = {}): DynamicModule {
    const entity = userEntity(tableName);
    return {
      module: UserModule,
      global: isGlobal,
      imports: [TypeOrmModule.forFeature([entity])],
      providers: [
        {
          provide: UsersService,
          inject: [getRepositoryToken(entity)],
          useFactory: (repository: Repository<User>) => new UsersService(repository),
        },
      ],
      exports: [UsersService],
    };
  }
}
