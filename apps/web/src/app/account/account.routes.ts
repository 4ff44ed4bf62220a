import type { Routes } from '@angular/router';
import { AccountPage } from './account.page';

const accountRoutes: Routes = [{ path: '', component: AccountPage, title: 'My account · Tyto' }];

export default accountRoutes;
