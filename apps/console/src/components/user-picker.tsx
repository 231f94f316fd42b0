import { Select } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { usersApi } from '../api/endpoints';

interface UserPickerProps {
  /** A user id. */
  value: string | undefined;
  onChange: (userId: string | undefined) => void;
  placeholder: string;
  style?: React.CSSProperties;
  'aria-label': string;
  'data-testid'?: string;
}

/** Picks a user by username (searched on the server), yielding the user's id. */
export function UserPicker({ value, onChange, placeholder, style, ...rest }: UserPickerProps) {
  const [options, setOptions] = useState<{ value: string; label: string }[]>([]);
  const [loading, setLoading] = useState(false);
  const [keywords, setKeywords] = useState('');
  const seq = useRef(0);

  useEffect(() => {
    const n = ++seq.current;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      setLoading(true);
      usersApi
        .list({ current: 1, page_size: 20, keywords: keywords || undefined }, controller.signal)
        .then((page) => {
          if (n === seq.current) setOptions(page.items.map((u) => ({ value: u.id, label: u.full_name ? `${u.username} (${u.full_name})` : u.username })));
        })
        .catch(() => {
          if (n === seq.current) setOptions([]);
        })
        .finally(() => {
          if (n === seq.current) setLoading(false);
        });
    }, 200);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [keywords]);

  // A picked user that is not in the current search still shows its name.
  const shown = value && !options.some((o) => o.value === value) ? [...options, { value, label: value.slice(0, 8) }] : options;
  return (
    <Select<string>
      showSearch={{ filterOption: false, onSearch: setKeywords }}
      allowClear
      value={value}
      placeholder={placeholder}
      loading={loading}
      options={shown}
      onChange={(next) => onChange(next || undefined)}
      onClear={() => setKeywords('')}
      style={style}
      popupMatchSelectWidth={false}
      {...rest}
    />
  );
}
