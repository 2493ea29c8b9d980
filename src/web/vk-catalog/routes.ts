import { Router, type Request, type Response } from 'express';
import { requirePermission } from '../auth/current-user.js';
import type { DashboardDeps } from '../dashboard/deps.js';
import { pageOf } from '../forms.js';
import { drifted, findAlbum, listAlbums, listItems } from './queries.js';
import { scoped } from '../scoped.js';
import { pageBeyondLast } from '../shared/pager.js';

const PAGE_SIZE = 50;

/** VK's `availability`: what a buyer sees. */
export const AVAILABILITY: Record<number, string> = {
  0: 'В наличии',
  1: 'Удалён',
  2: 'Недоступен',
};

const notFound = (res: Response) =>
  res.status(404).render('error', {
    title: 'Не найдено',
    status: 404,
    message: 'Такой подборки нет в вашем сообществе VK.',
  });

export function vkCatalogRoutes({ sequelize }: DashboardDeps): Router {
  const r = Router();
  r.use('/vk-catalog', requirePermission('sync.use'));
  const uid = (req: Request) => req.currentUser!.id;

  r.get('/vk-catalog', (_req, res) => res.redirect('/vk-catalog/albums'));

  r.get('/vk-catalog/albums', async (req, res) => {
    const albums = await listAlbums(sequelize, uid(req));
    res.render('vk-catalog/albums', { title: 'Подборки VK', albums });
  });

  const items = async (
    req: Request,
    res: Response,
    album: { id: number; title: string; storeName: string | null } | null,
  ) => {
    const { page, offset, size } = pageOf(req, PAGE_SIZE);
    const { rows, total } = await listItems(sequelize, uid(req), album?.id ?? null, size, offset);
    const pages = Math.max(1, Math.ceil(total / size));
    const last = pageBeyondLast(req, page, pages);
    if (last) return res.redirect(302, last);
    res.render('vk-catalog/products', {
      title: album ? `Подборка «${album.title}»` : 'Товары VK без подборки',
      heading: album ? album.title : 'Товары без подборки',
      storeName: album?.storeName ?? null,
      items: rows.map((row) => ({ ...row, drifted: drifted(row) })),
      availability: AVAILABILITY,
      total,
      page,
      pages,
      query: {},
    });
  };

  r.get('/vk-catalog/albums/:id/products', async (req, res) => {
    const id = String(req.params.id);
    if (!/^\d{1,18}$/.test(id)) return notFound(res);
    const album = await findAlbum(sequelize, uid(req), Number(id));
    if (!album) return notFound(res);
    await items(req, res, {
      id: Number(album.album_id),
      title: album.title,
      storeName: album.store_name,
    });
  });

  r.get('/vk-catalog/products', (req, res) => items(req, res, null));

  return scoped('/vk-catalog', r);
}
