DROP TABLE widget_message_keys;
