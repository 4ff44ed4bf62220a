import type { Routes } from '@angular/router';
import { TokensAdminPage } from './tokens-admin.page';

const tokensRoutes: Routes = [{ path: '', component: TokensAdminPage, title: 'API tokens · Tyto' }];

export default tokensRoutes;
