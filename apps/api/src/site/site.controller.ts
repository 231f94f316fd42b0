import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '@taskyard/auth';

/** EZ-Console's `service.SiteConfig`, as far as Taskyard has one. */
export interface SiteConfigDto {
  name: string;
  name_i18n: Record<string, string>;
  logo: string;
  home_page: string;
  disable_local_user_login: boolean;
  enable_multi_org: boolean;
  enable_skill_tool_binding: boolean;
}

/** EZ-Console's `authorizationapi.OAuthProvider`. */
export interface OAuthProviderDto {
  name: string;
  display_name: string;
  icon_url: string;
}

const SITE: SiteConfigDto = {
  name: 'Taskyard',
  name_i18n: {},
  logo: '',
  home_page: '/tasks',
  disable_local_user_login: false,
  enable_multi_org: false,
  enable_skill_tool_binding: false,
};

/**
 * The two routes EZ-Console's console asks for before anyone logs in. Taskyard has no site
 * settings and no OAuth: it answers what that means in EZ-Console's terms (local login only,
 * tasks as the home page), so a console written for EZ-Console boots against it.
 */
@ApiTags('ez-console')
@Controller('api')
export class SiteController {
  @Public()
  @Get('system/site')
  site(): SiteConfigDto {
    return SITE;
  }

  @Public()
  @Get('oauth/providers')
  oauthProviders(): OAuthProviderDto[] {
    return [];
  }
}
