import { Column, Entity, JoinTable, ManyToMany, PrimaryColumn } from 'typeorm';

@Entity({ name: 'roles' })
export class RoleEntity {
  @PrimaryColumn('varchar', { length: 64 }) id!: string;
  @Column('varchar', { length: 128 }) name!: string;
  @Column('text') description!: string;
  @Column('text', { array: true }) permissions!: string[];
  /** `system` for the built-in roles. */
  @Column('varchar', { name: 'role_type', length: 16 }) roleType!: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}

@Entity({ name: 'users' })
export class UserEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('varchar', { length: 64 }) username!: string;
  /** `scrypt$N$r$p$salt$hash`, never returned by any API. */
  @Column('varchar', { name: 'password_hash', length: 256 }) passwordHash!: string;
  @Column('varchar', { length: 255, nullable: true }) email!: string | null;
  @Column('varchar', { name: 'full_name', length: 255, nullable: true }) fullName!: string | null;
  @Column('varchar', { length: 16 }) status!: 'active' | 'disabled';
  @Column('timestamptz', { name: 'last_login', nullable: true }) lastLogin!: Date | null;
  @Column('timestamptz', { name: 'password_changed_at' }) passwordChangedAt!: Date;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;

  @ManyToMany(() => RoleEntity, { eager: false })
  @JoinTable({ name: 'user_roles', joinColumn: { name: 'user_id' }, inverseJoinColumn: { name: 'role_id' } })
  roles?: RoleEntity[];
}
