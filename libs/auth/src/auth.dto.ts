import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsEmail, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

export class LoginDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(64)
  username!: string;

  @ApiProperty() @IsString() @MinLength(1) @MaxLength(1024)
  password!: string;
}

/** `current` (1-based page) and `page_size` (1..100) of a list route. */
export class PageQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, default: 1 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1_000_000)
  current = 1;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 20 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100)
  page_size = 20;
}

export class ListUsersQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @Transform(trim) @IsString() @MaxLength(200)
  keywords?: string;

  @ApiPropertyOptional({ enum: ['active', 'disabled'] }) @IsOptional() @IsIn(['active', 'disabled'])
  status?: 'active' | 'disabled';
}

export class CreateUserDto {
  @ApiProperty() @IsString() @Matches(/^[A-Za-z0-9_.@-]{3,64}$/, { message: 'username must be 3 to 64 letters, digits or _ . @ -' })
  username!: string;

  @ApiProperty() @IsString() @MinLength(8) @MaxLength(256)
  password!: string;

  @ApiPropertyOptional() @IsOptional() @IsEmail() @MaxLength(255)
  email?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(255)
  full_name?: string;

  @ApiPropertyOptional({ type: [String] }) @IsOptional() @IsArray() @ArrayMaxSize(20) @IsString({ each: true }) @MaxLength(64, { each: true })
  role_ids: string[] = [];
}
