import { Body, Controller, Get, HttpCode, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Permission } from '@taskyard/contracts';
import { CurrentUser, Public, RequirePermissions } from './auth.decorators';
import { CreateUserDto, ListUsersQueryDto, LoginDto } from './auth.dto';
import { LOGIN_SCHEMA, okEnvelope, PROFILE_SCHEMA } from './auth.openapi';
import { AuthService } from './auth.service';
import type { AuthRequest, AuthUser, LoginResultDto, RoleDto, UserDto } from './auth.types';
import { Paged } from './paged';
import { UsersService } from './users.service';

@ApiTags('authorization')
@Controller('api/authorization')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
  ) {}

  @Public()
  @Post('auth/login')
  @HttpCode(200)
  @ApiOkResponse({ schema: okEnvelope(LOGIN_SCHEMA) })
  login(@Body() body: LoginDto, @Req() req: AuthRequest): Promise<LoginResultDto> {
    return this.auth.login(body.username, body.password, req.ip);
  }

  @ApiBearerAuth()
  @Get('profile')
  @ApiOkResponse({ schema: okEnvelope(PROFILE_SCHEMA) })
  profile(@CurrentUser() user: AuthUser): AuthUser {
    return user;
  }

  @ApiBearerAuth()
  @Get('roles')
  roles(): Promise<RoleDto[]> {
    return this.users.roles();
  }

  @ApiBearerAuth()
  @Get('users')
  @RequirePermissions(Permission.UserList)
  async listUsers(@Query() q: ListUsersQueryDto): Promise<Paged<UserDto>> {
    const { items, total } = await this.users.list({ page: q.current, pageSize: q.page_size, keywords: q.keywords || undefined, status: q.status });
    return new Paged(items, total, q.current, q.page_size);
  }

  @ApiBearerAuth()
  @Post('users')
  @RequirePermissions(Permission.UserCreate)
  createUser(@Body() body: CreateUserDto): Promise<UserDto> {
    return this.users.create({ username: body.username, password: body.password, email: body.email, fullName: body.full_name, roleIds: body.role_ids });
  }
}
