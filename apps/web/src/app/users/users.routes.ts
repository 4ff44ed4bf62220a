import type { Routes } from '@angular/router';
import { UsersPage } from './users.page';

const usersRoutes: Routes = [{ path: '', component: UsersPage, title: 'Users · Tyto' }];

export default usersRoutes;
