import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * The consumer's own users, in a table named `users` that its `synchronize: true` keeps. The packed
 * consumer test fills it before the first boot and checks that weapp-auth leaves every byte alone.
 */
@Entity({ name: 'users' })
export class ConsumerUser {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 255 })
  email!: string;
}
