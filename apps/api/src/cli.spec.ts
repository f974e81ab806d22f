import { parseCommand } from './cli';

describe('parseCommand', () => {
  it('serves without arguments', () => {
    expect(parseCommand([])).toEqual({ name: 'serve' });
  });

  it('reads create-owner with its email and optional password', () => {
    expect(parseCommand(['create-owner', '--email', 'ada@example.com'])).toEqual({
      name: 'create-owner',
      email: 'ada@example.com',
    });
    expect(parseCommand(['create-owner', '--email', 'ada@example.com', '--password', 'long enough'])).toEqual({
      name: 'create-owner',
      email: 'ada@example.com',
      password: 'long enough',
    });
  });

  it('refuses unknown commands, unknown flags, missing values and bad input, saying what is wrong', () => {
    expect(() => parseCommand(['drop-everything'])).toThrow("Unknown command 'drop-everything'");
    expect(() => parseCommand(['create-owner'])).toThrow('create-owner:');
    expect(() => parseCommand(['create-owner', '--email'])).toThrow('expected --name value pairs');
    expect(() => parseCommand(['create-owner', '--email', 'not-an-address'])).toThrow('--email must be an email');
    expect(() => parseCommand(['create-owner', '--email', 'a@b.co', '--password', 'short'])).toThrow('--password');
    expect(() => parseCommand(['create-owner', '--email', 'a@b.co', '--emial', 'x'])).toThrow('create-owner:');
  });
});
