import { randomBytes } from 'node:crypto';
import type { Database } from '../../infra/database/database';
import { openScratchDatabase, type ScratchDatabase } from '../../infra/database/scratch-database.testing';
import { ErrorCodes } from '../../infra/http/errors';
import { TemplatesRepository } from './templates.repository';
import { TemplatesService } from './templates.service';

// Template previews with the real repository on a scratch database of each kind: what the console's email
// editor shows beside the draft.

jest.setTimeout(120_000);

describe.each(['pglite', 'postgres'] as const)('TemplatesService.preview on %s', (kind) => {
  let scratch: ScratchDatabase;
  let db: Database;
  let templates: TemplatesService;
  let project: { id: string; name: string };

  beforeAll(async () => {
    scratch = await openScratchDatabase(kind);
    db = scratch.db;
    const row = await db.prisma.project.create({ data: { slug: `p${randomBytes(4).toString('hex')}`, name: 'Acme' } });
    project = { id: row.id, name: row.name };
    templates = new TemplatesService(new TemplatesRepository(db.prisma));
  });
  afterAll(() => scratch?.dispose());

  it('renders the template in use with sample values, the project’s name among them', async () => {
    const preview = await templates.preview(project, 'verification_code', 'de', undefined);
    expect(preview.subject).toEqual(expect.any(String));
    expect(preview.text).toContain('123456');
    expect(`${preview.subject} ${preview.text}`).toContain('Acme');
  });

  it('renders a draft without saving it, with the variables given, escaping them in HTML', async () => {
    const draft = { subject: 'Hi {{name}}', html: '<p>{{name}}: {{code}}</p>', text: '{{name}}: {{code}}' };
    const preview = await templates.preview(project, 'login_otp', 'en', draft, { name: '<Bob>' });
    expect(preview).toEqual({
      subject: 'Hi <Bob>',
      html: '<p>&lt;Bob&gt;: 123456</p>',
      text: '<Bob>: 123456',
    });
    expect((await templates.read(project.id, 'login_otp', 'en')).source).toBe('default');
  });

  it('refuses a draft that would not save, and variables the kind does not have, saying which', async () => {
    const broken = { subject: 'x', html: '{{#code}}', text: 'x' };
    await expect(templates.preview(project, 'login_otp', 'en', broken)).rejects.toMatchObject({
      code: ErrorCodes.INVALID_REQUEST,
    });
    await expect(templates.preview(project, 'welcome', 'en', undefined, { code: '1' })).rejects.toMatchObject({
      description: expect.stringContaining('variables: code not used by welcome'),
    });
    await expect(templates.preview(project, 'no_such_kind', 'en', undefined)).rejects.toMatchObject({
      code: ErrorCodes.NOT_FOUND,
    });
  });
});
